package isono

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// Dispatcher runs jobs; *hva.Handler implements it.
type Dispatcher interface {
	Dispatch(ctx context.Context, endpoint, job string, args []any) error
	Concurrency() int
}

var _ Dispatcher = (*hva.Handler)(nil)

// AgentOptions tune ServeHVA.
type AgentOptions struct {
	// Heartbeat is the interval of node-collector notify; default 10 s.
	Heartbeat time.Duration
	// ShutdownGrace is how long running jobs may finish when ctx ends
	// before they are cancelled; default 30 s.
	ShutdownGrace time.Duration
	// Endpoints are the job endpoints served, without "job." and the
	// node id; default hva-handle and local-store-handle.
	Endpoints []string
}

// BootToken is the token a node sends with its heartbeat: the first 5
// hex digits of SHA-1 of its pid, as Isono computes it.
func BootToken() string {
	sum := sha1.Sum([]byte(strconv.Itoa(os.Getpid())))
	return hex.EncodeToString(sum[:])[:5]
}

// ServeHVA makes the node a Wakame HVA until ctx ends: it sends the
// heartbeat (node-collector notify with the node id and a boot token,
// at once and then every opts.Heartbeat) so Wakame marks the node online,
// and serves "job.<endpoint>.<node id>" for each endpoint: every job is
// answered inprogress with its job record, recorded with job-collector,
// handed to d.Dispatch, and answered success or error. Up to
// d.Concurrency() jobs run at once. When ctx ends it stops taking jobs,
// lets running ones finish for opts.ShutdownGrace, then cancels them.
func (n *Node) ServeHVA(ctx context.Context, d Dispatcher, opts AgentOptions) error {
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 10 * time.Second
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 30 * time.Second
	}
	if len(opts.Endpoints) == 0 {
		opts.Endpoints = []string{hva.EndpointHVA, hva.EndpointLocalStore}
	}
	var stops []func(context.Context) error
	stopAll := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownGrace)
		defer cancel()
		var errs []error
		for _, stop := range stops {
			errs = append(errs, stop(sctx))
		}
		return joinerr.Join(errs...)
	}
	for _, ep := range opts.Endpoints {
		jobEP := "job." + ep + "." + n.opts.NodeID
		stop, err := n.Serve(jobEP, d.Concurrency(), n.jobHandler(ep, d))
		if err != nil {
			return joinerr.Join(err, stopAll())
		}
		stops = append(stops, stop)
	}
	token := BootToken()
	var wg sync.WaitGroup
	hbCtx, hbStop := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.heartbeat(hbCtx, token, opts.Heartbeat)
	}()
	n.log.Info("serving jobs", "endpoints", opts.Endpoints, "concurrency", d.Concurrency())
	<-ctx.Done()
	hbStop()
	wg.Wait()
	n.log.Info("shutting down: no new jobs; waiting for running ones", "grace", opts.ShutdownGrace)
	return stopAll()
}

// heartbeat notifies node-collector every interval until ctx ends.
func (n *Node) heartbeat(ctx context.Context, token string, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		nctx, cancel := context.WithTimeout(ctx, interval)
		if err := n.Notify(nctx, NodeCollector, "notify", n.opts.NodeID, token); err != nil && ctx.Err() == nil {
			n.log.Warn("heartbeat failed", "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// jobHandler runs one job: inprogress answer, job records, dispatch.
func (n *Node) jobHandler(endpoint string, d Dispatcher) HandlerFunc {
	return func(ctx context.Context, req *Request) (any, error) {
		rec := map[string]any{
			"job_id":        req.Envelope["job_id"],
			"parent_job_id": req.Envelope["parent_job_id"],
			"session_id":    req.Envelope["session_id"],
			"job_name":      req.Command,
			"started_at":    time.Now().UTC(),
			"finished_at":   nil,
			"finish_status": nil,
			"state":         symbol("running"),
		}
		if err := req.Progress(ctx, rec); err != nil {
			n.log.Warn("inprogress answer failed", "job", req.Command, "err", err)
		}
		n.record(ctx, rec)
		err := d.Dispatch(ctx, endpoint, req.Command, req.Args)
		rec["finished_at"] = time.Now().UTC()
		if err != nil {
			rec["state"], rec["finish_status"] = symbol("failed"), symbol("failed")
		} else {
			rec["state"], rec["finish_status"] = symbol("done"), symbol("success")
		}
		n.record(context.WithoutCancel(ctx), rec)
		if err != nil {
			return nil, fmt.Errorf("%s %v: %w", req.Command, req.Args, err)
		}
		return nil, nil
	}
}

// record sends job-collector record [job] (oneshot, bookkeeping only).
func (n *Node) record(ctx context.Context, rec map[string]any) {
	cp := make(map[string]any, len(rec))
	for k, v := range rec {
		cp[k] = v
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := n.Notify(rctx, JobCollector, "record", cp); err != nil {
		n.log.Debug("job record failed", "err", err)
	}
}

// Submit submits job to a job endpoint such as
// "hva-handle.hva.esxi1" (Wakame's job.submit) and waits for its final
// answer. progress, when not nil, receives the inprogress job record.
func (n *Node) Submit(ctx context.Context, endpoint, job string, progress func(any), args ...any) error {
	id := newTicket()
	extra := map[string]any{"job_id": id, "session_id": id, "job_name": job}
	_, err := n.call(ctx, "job."+endpoint, job, extra, progress, args)
	return err
}
