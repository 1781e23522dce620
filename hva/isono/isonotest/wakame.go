// Package isonotest is a Wakame-vdc side in Go for tests and embedded
// defaults: it serves the collector endpoints an HVA calls
// (hva-collector and sta-collector backed by an hvatest.Collector,
// node-collector's notify, job-collector's record) over a real broker,
// and submits jobs to agents as Wakame's scheduler and API do.
package isonotest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

var nodeSeq atomic.Int64

// Wakame is the collector side of an Isono bus.
type Wakame struct {
	// Node is Wakame's own node on the bus (id "collector.<pid>-<n>").
	Node *isono.Node
	// Collector holds the instances the collector endpoints answer for.
	Collector *hvatest.Collector

	mu       sync.Mutex
	notifies map[string][]Notify
	records  []map[string]any
	changed  chan struct{}
	stops    []func(context.Context) error
}

// Notify is one heartbeat received from a node.
type Notify struct {
	NodeID, BootToken string
	At                time.Time
}

// Start joins the broker at url and serves the collector endpoints with
// col's data.
func Start(ctx context.Context, url string, col *hvatest.Collector, log *slog.Logger) (*Wakame, error) {
	if log == nil {
		log = slog.Default()
	}
	n, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: fmt.Sprintf("collector.%d-%d", os.Getpid(), nodeSeq.Add(1)), Logger: log, CallTimeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	w := &Wakame{Node: n, Collector: col, notifies: map[string][]Notify{}, changed: make(chan struct{})}
	for ep, h := range map[string]isono.HandlerFunc{
		isono.HVACollector:  w.serveCollector,
		isono.STACollector:  w.serveCollector,
		isono.NodeCollector: w.serveNode,
		isono.JobCollector:  w.serveJob,
	} {
		stop, err := n.Serve(ep, 4, h)
		if err != nil {
			w.Close()
			return nil, err
		}
		w.stops = append(w.stops, stop)
	}
	return w, nil
}

// Close stops serving and leaves the bus.
func (w *Wakame) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, stop := range w.stops {
		errs = append(errs, stop(ctx))
	}
	return joinerr.Join(append(errs, w.Node.Close())...)
}

func (w *Wakame) signal() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// serveCollector answers hva-collector and sta-collector commands from
// the in-memory collector.
func (w *Wakame) serveCollector(ctx context.Context, req *isono.Request) (any, error) {
	c := w.Collector
	arg := func(i int) string {
		if i < len(req.Args) {
			return fmt.Sprint(req.Args[i])
		}
		return ""
	}
	hash := func(i int) map[string]any {
		if i < len(req.Args) {
			m, _ := req.Args[i].(map[string]any)
			return m
		}
		return nil
	}
	switch req.Command {
	case "get_instance":
		return c.GetInstance(ctx, arg(0))
	case "update_instance":
		return nil, c.UpdateInstance(ctx, arg(0), hash(1))
	case "finalize_instance":
		at, _ := req.Args[len(req.Args)-1].(time.Time)
		return nil, c.FinalizeInstance(ctx, arg(0), at)
	case "get_volume":
		return c.GetVolume(ctx, arg(0))
	case "update_volume":
		return nil, c.UpdateVolume(ctx, arg(0), hash(1))
	case "get_backup_object":
		return c.GetBackupObject(ctx, arg(0))
	case "update_backup_object":
		return nil, c.UpdateBackupObject(ctx, arg(0), hash(1))
	case "update_image":
		return nil, c.UpdateImage(ctx, arg(0), hash(1))
	case "get_nic":
		return c.GetNIC(ctx, arg(0))
	case "get_instance_monitor_data":
		rows, err := c.InstanceMonitorData(ctx, arg(0))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(rows))
		for i, r := range rows {
			out[i] = hvatest.MonitorRow(r)
		}
		return out, nil
	}
	return nil, fmt.Errorf("undefined method `%s' for %s", req.Command, req.Endpoint)
}

func (w *Wakame) serveNode(_ context.Context, req *isono.Request) (any, error) {
	if req.Command != "notify" || len(req.Args) < 2 {
		return nil, fmt.Errorf("node-collector: unexpected %s %v", req.Command, req.Args)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id := fmt.Sprint(req.Args[0])
	w.notifies[id] = append(w.notifies[id], Notify{NodeID: id, BootToken: fmt.Sprint(req.Args[1]), At: time.Now()})
	w.signal()
	return nil, nil
}

func (w *Wakame) serveJob(_ context.Context, req *isono.Request) (any, error) {
	if req.Command != "record" || len(req.Args) < 1 {
		return nil, fmt.Errorf("job-collector: unexpected %s", req.Command)
	}
	rec, _ := req.Args[0].(map[string]any)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.records = append(w.records, rec)
	w.signal()
	return nil, nil
}

// Notifies returns the heartbeats received from nodeID.
func (w *Wakame) Notifies(nodeID string) []Notify {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Notify(nil), w.notifies[nodeID]...)
}

// JobRecords returns the job records received, in order.
func (w *Wakame) JobRecords() []map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]map[string]any(nil), w.records...)
}

// WaitOnline waits until nodeID has sent a heartbeat: Wakame then marks
// the node online.
func (w *Wakame) WaitOnline(ctx context.Context, nodeID string) error {
	for {
		w.mu.Lock()
		n, ch := len(w.notifies[nodeID]), w.changed
		w.mu.Unlock()
		if n > 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("node %s never sent a heartbeat: %w", nodeID, ctx.Err())
		}
	}
}

// Submit submits job to nodeID's endpoint ("hva-handle" or
// "local-store-handle") and waits for the final answer; a failed job is
// an *isono.RemoteError.
func (w *Wakame) Submit(ctx context.Context, endpoint, nodeID, job string, args ...any) error {
	return w.Node.Submit(ctx, endpoint+"."+nodeID, job, nil, args...)
}
