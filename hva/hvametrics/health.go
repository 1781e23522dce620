package hvametrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
)

// Broker is the transport's state (*isono.Node implements it).
type Broker interface {
	Connected() bool
	Reconnects() uint64
}

// ESXi is the hypervisor client's state (*esxi.Client implements it).
type ESXi interface {
	// Logins counts logins: 1 after Connect, plus one per re-login.
	Logins() int64
	Vim25() *vim25.Client
}

// healthCacheFor is how long a /healthz answer is reused, so that probes
// do not turn into a stream of calls to the ESXi host.
const healthCacheFor = 2 * time.Second

// healthTimeout bounds the ESXi session check of one /healthz.
const healthTimeout = 10 * time.Second

// Watch registers the broker and ESXi counters (reconnects, re-logins,
// connected) and makes Handler's /healthz check them. Call it once.
func (m *Metrics) Watch(b Broker, hv ESXi) {
	m.broker, m.esxi = b, hv
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "broker_reconnects_total",
			Help: "Broker connections re-established after the connection was lost."},
			func() float64 { return float64(b.Reconnects()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "broker_connected",
			Help: "1 while the broker connection is up."},
			func() float64 {
				if b.Connected() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "esxi_relogins_total",
			Help: "ESXi sessions re-established after the session was lost."},
			func() float64 { return float64(max(hv.Logins()-1, 0)) }),
	)
}

// Check returns nil when the broker is connected and the ESXi session
// answers, else an error saying which is not.
func (m *Metrics) Check(ctx context.Context) error {
	if m.broker == nil || m.esxi == nil {
		return errors.New("not watching a broker and an ESXi host (Watch not called)")
	}
	var errs []error
	if !m.broker.Connected() {
		errs = append(errs, errors.New("broker: not connected"))
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	us, err := session.NewManager(m.esxi.Vim25()).UserSession(ctx)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("esxi: session check: %w", err))
	case us == nil:
		errs = append(errs, errors.New("esxi: not logged in"))
	}
	return joinerr.Join(errs...)
}

// Handler serves /metrics (Prometheus text format) and /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	var mu sync.Mutex
	var last time.Time
	var lastErr error
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if time.Since(last) > healthCacheFor {
			lastErr, last = m.Check(r.Context()), time.Now()
		}
		err := lastErr
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
