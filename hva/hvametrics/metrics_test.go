package hvametrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvametrics"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// scrape fetches /metrics and parses it as the Prometheus text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err, "the body is the Prometheus text format")
	return fams
}

// value returns the value of the family's sample whose labels include
// want (a counter, gauge, or a histogram's count).
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "metric %s is served", name)
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no sample of %s with labels %v", name, want)
	return 0
}

func healthz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Jobs, image cache and transfers, counted on the simulator, with the
// handler called as the transport calls it.
func TestJobAndImageMetrics(t *testing.T) {
	ctx := context.Background()
	env := esxitest.New(t)
	hv := env.Connect(t)
	srv := imagetest.NewServer(t, 2<<20)
	m := hvametrics.New()
	cache := image.NewCache(hv, image.CacheOptions{Logger: quiet(), Observer: m.CacheObserver()})
	col := hvatest.NewCollector()
	h, err := hva.New(hva.Options{NodeID: "hva.metrics", Hypervisor: hv, Collector: col, Events: &hvatest.Events{},
		Images: cache, Logger: quiet(), TransferProgress: m.TransferProgress})
	require.NoError(t, err)
	d := m.Dispatcher(h)
	assert.Equal(t, h.Concurrency(), d.Concurrency())
	web := httptest.NewServer(m.Handler())
	defer web.Close()

	for i := range 2 {
		id := fmt.Sprintf("i-metric%d", i)
		col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: id, NodeID: "hva.metrics", MACs: []string{fmt.Sprintf("5254000000%02x", i)},
			ImageURI: srv.FlatURL(), ImageMD5: srv.MD5(), ImageSize: srv.Size()}))
		require.NoError(t, d.Dispatch(ctx, hva.EndpointHVA, "run_local_store", []any{id}))
	}
	require.Error(t, d.Dispatch(ctx, hva.EndpointHVA, "poweroff", []any{"i-missing"}))
	require.Error(t, d.Dispatch(ctx, hva.EndpointHVA, "no_such_job_"+strings.Repeat("x", 40), nil))

	fams := scrape(t, web.URL)
	ok := map[string]string{"endpoint": hva.EndpointHVA, "job": "run_local_store", "result": "success"}
	assert.Equal(t, 2.0, value(t, fams, "esxi_hva_jobs_total", ok))
	assert.Equal(t, 2.0, value(t, fams, "esxi_hva_job_duration_seconds", ok), "both launches timed")
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_jobs_total", map[string]string{"job": "poweroff", "result": "error"}))
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_jobs_total", map[string]string{"job": "other", "result": "error"}),
		"an unknown job name does not become a label")
	assert.Equal(t, 0.0, value(t, fams, "esxi_hva_jobs_in_flight", nil))
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_image_cache_misses_total", nil), "the first launch fetched")
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_image_cache_hits_total", nil), "the second used the cache")
	assert.Equal(t, float64(srv.Size()), value(t, fams, "esxi_hva_image_fetched_bytes_total", nil))
	assert.Equal(t, float64(srv.Size()), value(t, fams, "esxi_hva_image_uploaded_bytes_total", nil))
	assert.Greater(t, value(t, fams, "esxi_hva_image_transfer_bytes_per_second", nil), 0.0)
	assert.Contains(t, fams, "go_goroutines", "the runtime's metrics come along")
}

// A job in flight is counted while it runs.
func TestJobsInFlight(t *testing.T) {
	m := hvametrics.New()
	release := make(chan struct{})
	started := make(chan struct{})
	d := m.Dispatcher(blocking{started: started, release: release})
	web := httptest.NewServer(m.Handler())
	defer web.Close()
	done := make(chan error, 1)
	go func() { done <- d.Dispatch(context.Background(), hva.EndpointHVA, "reboot", []any{"i-x"}) }()
	<-started
	assert.Equal(t, 1.0, value(t, scrape(t, web.URL), "esxi_hva_jobs_in_flight", nil))
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, 0.0, value(t, scrape(t, web.URL), "esxi_hva_jobs_in_flight", nil))
}

type blocking struct{ started, release chan struct{} }

func (b blocking) Dispatch(context.Context, string, string, []any) error {
	close(b.started)
	<-b.release
	return nil
}
func (b blocking) Concurrency() int { return 1 }

// /healthz and the broker and ESXi counters, against the simulator and
// the local broker.
func TestHealthAndReconnects(t *testing.T) {
	url := testenv.AMQPVhostURL(t, "esxi-hva-examples")
	ctx := context.Background()
	env := esxitest.New(t)
	hv := env.Connect(t)
	node, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: fmt.Sprintf("hva.metrics-%d", time.Now().UnixNano()), Logger: quiet(), ReconnectMin: 10 * time.Millisecond})
	require.NoError(t, err)
	defer node.Close()
	m := hvametrics.New()
	m.Watch(node, hv)
	web := httptest.NewServer(m.Handler())
	defer web.Close()

	code, body := healthz(t, web.URL)
	assert.Equal(t, http.StatusOK, code, body)
	fams := scrape(t, web.URL)
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_broker_connected", nil))
	assert.Equal(t, 0.0, value(t, fams, "esxi_hva_broker_reconnects_total", nil))
	assert.Equal(t, 0.0, value(t, fams, "esxi_hva_esxi_relogins_total", nil))

	node.ForceDisconnect()
	require.Eventually(t, func() bool { return node.Reconnects() == 1 && node.Connected() }, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, env.TerminateSessions(ctx))
	_, err = hv.ListVMs(ctx)
	require.NoError(t, err, "the client logs in again")
	fams = scrape(t, web.URL)
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_broker_reconnects_total", nil))
	assert.Equal(t, 1.0, value(t, fams, "esxi_hva_esxi_relogins_total", nil))

	require.NoError(t, node.Close())
	require.Eventually(t, func() bool {
		code, body = healthz(t, web.URL)
		return code == http.StatusServiceUnavailable
	}, 10*time.Second, 100*time.Millisecond, "a closed broker connection is unhealthy")
	assert.Contains(t, body, "broker: not connected")
	assert.NotContains(t, body, "esxi", "the ESXi session is still fine")
	assert.Equal(t, 0.0, value(t, scrape(t, web.URL), "esxi_hva_broker_connected", nil))
}

// An ESXi session that is gone (the client closed) is unhealthy too.
func TestHealthSeesALostESXiSession(t *testing.T) {
	ctx := context.Background()
	env := esxitest.New(t)
	hv := env.Connect(t)
	m := hvametrics.New()
	m.Watch(up{}, hv)
	require.NoError(t, m.Check(ctx))
	require.NoError(t, hv.Close(ctx))
	err := m.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "esxi")
	assert.NotContains(t, err.Error(), "broker")
}

type up struct{}

func (up) Connected() bool    { return true }
func (up) Reconnects() uint64 { return 0 }
