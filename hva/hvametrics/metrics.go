package hvametrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/image"
)

// namespace prefixes every metric name.
const namespace = "esxi_hva"

// Dispatcher is what an Isono transport drives (isono.Dispatcher; *hva.Handler
// implements it).
type Dispatcher interface {
	Dispatch(ctx context.Context, endpoint, job string, args []any) error
	Concurrency() int
}

// Metrics holds an agent's collectors on a registry of its own.
type Metrics struct {
	reg      *prometheus.Registry
	jobs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	hits     prometheus.Counter
	misses   prometheus.Counter
	fetched  prometheus.Counter
	uploaded prometheus.Counter
	rate     prometheus.Gauge
	known    map[string]map[string]bool // endpoint -> job names
	broker   Broker
	esxi     ESXi
}

// New returns Metrics with the job and image collectors registered, plus
// the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "jobs_total",
			Help: "Jobs finished, by endpoint, job name and result (success or error)."}, []string{"endpoint", "job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "job_duration_seconds",
			Help:    "How long jobs ran, by endpoint, job name and result.",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}}, []string{"endpoint", "job", "result"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "jobs_in_flight", Help: "Jobs running now."}),
		hits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "image_cache_hits_total",
			Help: "Image deploys that found the image in the datastore cache."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "image_cache_misses_total",
			Help: "Image deploys that had to fetch the image, or wait for another fetch of it."}),
		fetched: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "image_fetched_bytes_total",
			Help: "Image bytes read from image servers."}),
		uploaded: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "image_uploaded_bytes_total",
			Help: "Image bytes written to the datastore by completed uploads."}),
		rate: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "image_transfer_bytes_per_second",
			Help: "Throughput of the latest image transfer report (bytes per second since the transfer started)."}),
		known: map[string]map[string]bool{},
	}
	for _, ep := range []string{hva.EndpointHVA, hva.EndpointLocalStore} {
		m.known[ep] = map[string]bool{}
		for _, j := range hva.Jobs(ep) {
			m.known[ep][j] = true
		}
	}
	m.reg.MustRegister(m.jobs, m.duration, m.inFlight, m.hits, m.misses, m.fetched, m.uploaded, m.rate,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics live on, for a program that
// adds its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Dispatcher wraps d so that every job is counted and timed.
func (m *Metrics) Dispatcher(d Dispatcher) Dispatcher { return &dispatcher{m: m, next: d} }

type dispatcher struct {
	m    *Metrics
	next Dispatcher
}

func (d *dispatcher) Concurrency() int { return d.next.Concurrency() }

func (d *dispatcher) Dispatch(ctx context.Context, endpoint, job string, args []any) error {
	ep, name := endpoint, job
	if d.m.known[ep] == nil {
		ep, name = "other", "other"
	} else if !d.m.known[ep][name] {
		name = "other"
	}
	d.m.inFlight.Inc()
	start := time.Now()
	err := d.next.Dispatch(ctx, endpoint, job, args)
	d.m.inFlight.Dec()
	result := "success"
	if err != nil {
		result = "error"
	}
	d.m.jobs.WithLabelValues(ep, name, result).Inc()
	d.m.duration.WithLabelValues(ep, name, result).Observe(time.Since(start).Seconds())
	return err
}

// CacheObserver returns the image cache hook (image.CacheOptions.Observer).
func (m *Metrics) CacheObserver() image.CacheObserver { return cacheObserver{m} }

type cacheObserver struct{ m *Metrics }

func (o cacheObserver) Lookup(_ string, hit bool) {
	if hit {
		o.m.hits.Inc()
	} else {
		o.m.misses.Inc()
	}
}

func (o cacheObserver) Transferred(_ string, fetched, uploaded int64) {
	o.m.fetched.Add(float64(fetched))
	o.m.uploaded.Add(float64(uploaded))
}

// TransferProgress is an hva.Options.TransferProgress callback that keeps
// the latest transfer rate.
func (m *Metrics) TransferProgress(_, _ string, p image.Progress) {
	if p.Rate > 0 {
		m.rate.Set(p.Rate)
	}
}
