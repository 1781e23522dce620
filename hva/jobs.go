package hva

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/esxi-hva/esxi-hva/image"
)

// jobSpec names a job and says which states of its instance it accepts.
type jobSpec struct {
	endpoint string   // EndpointHVA when empty
	name     string   // the job's Wakame name, one of the job* constants
	accept   []string // the instance states the job runs in; none: any
	refuse   string   // with accept empty, a state the job refuses
	// relaunch: a redelivered launch whose instance is already running
	// with its VM powered on succeeds without doing anything.
	relaunch bool
}

func (s jobSpec) ep() string {
	if s.endpoint == "" {
		return EndpointHVA
	}
	return s.endpoint
}

// check returns a *StateError unless the spec accepts state.
func (s jobSpec) check(id, state string) error {
	switch {
	case len(s.accept) > 0 && !slices.Contains(s.accept, state):
		return &StateError{Job: s.name, Object: id, State: state, Want: s.accept}
	case s.refuse != "" && state == s.refuse:
		return &StateError{Job: s.name, Object: id, State: state, Want: []string{"any but " + s.refuse}}
	}
	return nil
}

// instanceJob runs fn as the job spec names for the instance id, under
// its lock, once the instance is fetched and its state accepted.
func (h *Handler) instanceJob(ctx context.Context, spec jobSpec, id string, fn func(ctx context.Context, log *slog.Logger, inst *Instance) error) error {
	return h.job(ctx, spec, id, func(ctx context.Context, log *slog.Logger) error {
		inst, err := h.getInstance(ctx, id)
		if err != nil {
			return err
		}
		if spec.relaunch {
			if done, err := h.alreadyRunning(ctx, inst); done || err != nil {
				return err
			}
		}
		if err := spec.check(id, inst.State); err != nil {
			return err
		}
		return fn(ctx, log, inst)
	})
}

// job runs fn for the instance id under its lock, logging start and end.
func (h *Handler) job(ctx context.Context, spec jobSpec, id string, fn func(ctx context.Context, log *slog.Logger) error) error {
	name := spec.name
	log := h.log.With("job", name, "endpoint", spec.ep(), "instance_id", id)
	ctx = withJob(ctx, name, id)
	release, err := h.acquire(ctx, id)
	if err != nil {
		return fmt.Errorf("%s %s: %w", name, id, err)
	}
	defer release()
	ctx, cancel := h.withDeadline(ctx, name, id)
	defer cancel()
	start := time.Now()
	log.Info("job started")
	err = deadlineErr(ctx, fn(ctx, log))
	if err != nil {
		log.Error("job failed", "err", err, "duration", time.Since(start).Round(time.Millisecond))
		return err
	}
	log.Info("job done", "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

type jobKey struct{}

type jobInfo struct{ job, instanceID string }

// withJob remembers the running job in ctx, for progress callbacks.
// The image package's log lines under ctx carry the job and instance id.
func withJob(ctx context.Context, job, id string) context.Context {
	ctx = image.WithLogAttrs(ctx, slog.String("job", job), slog.String("instance_id", id))
	return context.WithValue(ctx, jobKey{}, jobInfo{job, id})
}

func jobOf(ctx context.Context) jobInfo {
	j, _ := ctx.Value(jobKey{}).(jobInfo)
	return j
}
