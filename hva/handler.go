package hva

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
)

// Errors of the job handler, tested with errors.Is.
var (
	// ErrInvalidState: the instance or volume is not in a state the job
	// accepts. Nothing was changed.
	ErrInvalidState = errors.New("invalid state for this job")
	// ErrUnsupported: the job cannot be done on ESXi (shared volumes).
	ErrUnsupported = errors.New("not supported on ESXi")
	// ErrUnknownJob: Dispatch got a job name it does not know.
	ErrUnknownJob = errors.New("unknown job")
	// ErrBadArgs: Dispatch got arguments of the wrong number or type.
	ErrBadArgs = errors.New("bad job arguments")
)

// StateError is the error of a job refused because of a state; it wraps
// ErrInvalidState.
type StateError struct {
	Job    string // the job's Wakame name, e.g. "terminate"
	Object string // the instance or volume id
	State  string // the state found
	Want   []string
}

// Error says which job refused which state, and what it accepts.
func (e *StateError) Error() string {
	return fmt.Sprintf("%s %s: invalid state %q (the job accepts %v); nothing was changed", e.Job, e.Object, e.State, e.Want)
}

// Unwrap returns ErrInvalidState.
func (e *StateError) Unwrap() error { return ErrInvalidState }

// Options configure a Handler. Hypervisor, Collector and Events are
// required.
type Options struct {
	// NodeID is the agent's Isono node id, e.g. "hva.esxi1"; it prefixes
	// node-scoped events such as "<node>/vnic_created".
	NodeID string
	// Hypervisor is the ESXi host the jobs act on.
	Hypervisor esxi.Hypervisor
	// Collector and Events talk to Wakame (hva/isono implements them over
	// AMQP; hva/hvatest in memory).
	Collector Collector
	Events    Events
	// Images deploys verified image pairs; default: an image cache on the
	// hypervisor's datastore (see NewImageStore).
	Images ImageStore
	// FullCopies gives every instance a thin full copy of its image
	// (hva.conf use_linked_clone = false). By default, when Images is a
	// BaseStore, the boot disk is a linked clone: a delta child of the
	// cached image, made in constant time whatever the image's size.
	FullCopies bool
	// TransferProgress, when set, is called with the progress of every
	// image transfer (a launch's image deploy, a backup's upload), besides
	// the log lines the handler writes at most every 5 s.
	TransferProgress func(job, instanceID string, p image.Progress)
	// BackupTransfer configures the HTTP PUT of backup_image and
	// backup_volume (TLS roots, retries).
	BackupTransfer image.FetchOptions
	// Concurrency bounds the jobs running at once (on different
	// instances; jobs on one instance always run one at a time). Default 4.
	Concurrency int
	// SoftPowerOffTimeout is how long soft_poweroff waits for the guest
	// before powering off hard. Default 2 minutes.
	SoftPowerOffTimeout time.Duration
	// JobDeadlines bound how long each kind of job may run; see
	// JobDeadlines for the defaults.
	JobDeadlines JobDeadlines
	// MetadataItems are extra metadata items written for every instance
	// (path relative to meta-data/ -> value).
	MetadataItems map[string]string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now defaults to time.Now; tests fix it.
	Now func() time.Time
}

// Handler runs Wakame's HVA jobs on an ESXi host. It is transport-agnostic:
// a transport (hva/isono) calls Dispatch, or a program calls the job
// methods directly. It is safe for concurrent use.
type Handler struct {
	opts  Options
	hv    esxi.Hypervisor
	col   Collector
	ev    Events
	log   *slog.Logger
	slots chan struct{}

	mu    sync.Mutex
	locks map[string]*instanceLock
}

type instanceLock struct {
	ch   chan struct{} // holds one token while the instance is busy
	refs int
}

// New checks opts and returns a Handler.
func New(opts Options) (*Handler, error) {
	if opts.Hypervisor == nil || opts.Collector == nil || opts.Events == nil {
		return nil, errors.New("hva: Options need Hypervisor, Collector and Events")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.SoftPowerOffTimeout <= 0 {
		opts.SoftPowerOffTimeout = 2 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Images == nil {
		opts.Images = NewImageStore(opts.Hypervisor, opts.Logger)
	}
	return &Handler{
		opts:  opts,
		hv:    opts.Hypervisor,
		col:   opts.Collector,
		ev:    opts.Events,
		log:   opts.Logger.With("node_id", opts.NodeID),
		slots: make(chan struct{}, opts.Concurrency),
		locks: map[string]*instanceLock{},
	}, nil
}

// Concurrency returns how many jobs may run at once; a transport sets its
// prefetch from it.
func (h *Handler) Concurrency() int { return h.opts.Concurrency }

// acquire waits for a free slot and for the instance's lock, in that
// order of release: jobs on one instance are serialized, jobs on others
// run up to Concurrency at once. The returned func releases both.
func (h *Handler) acquire(ctx context.Context, key string) (func(), error) {
	h.mu.Lock()
	l := h.locks[key]
	if l == nil {
		l = &instanceLock{ch: make(chan struct{}, 1)}
		h.locks[key] = l
	}
	l.refs++
	h.mu.Unlock()
	drop := func() {
		h.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(h.locks, key)
		}
		h.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		<-l.ch
		drop()
		return nil, ctx.Err()
	}
	return func() {
		<-h.slots
		<-l.ch
		drop()
	}, nil
}
