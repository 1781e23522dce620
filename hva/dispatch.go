package hva

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Job endpoints as Wakame names them, without the ".<node id>" suffix.
const (
	EndpointHVA        = "hva-handle"
	EndpointLocalStore = "local-store-handle"
)

// Dispatch runs the job named job of endpoint ("hva-handle" or
// "local-store-handle", with or without the "job." prefix and the
// ".<node id>" suffix) with Wakame's positional arguments. Unknown jobs
// are ErrUnknownJob; arguments of the wrong number or type ErrBadArgs.
func (h *Handler) Dispatch(ctx context.Context, endpoint, job string, args []any) error {
	ep := strings.TrimPrefix(endpoint, "job.")
	if i := strings.IndexByte(ep, '.'); i >= 0 {
		ep = ep[:i]
	}
	table, ok := jobTables[ep]
	if !ok {
		return fmt.Errorf("%w: endpoint %q (this agent serves %s and %s)", ErrUnknownJob, endpoint, EndpointHVA, EndpointLocalStore)
	}
	fn, ok := table[job]
	if !ok {
		return fmt.Errorf("%w: %q on %s", ErrUnknownJob, job, ep)
	}
	return fn(h, ctx, &jobArgs{job: job, args: args})
}

// Jobs lists the job names served on endpoint.
func Jobs(endpoint string) []string {
	var out []string
	for name := range jobTables[endpoint] {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

type jobFunc func(*Handler, context.Context, *jobArgs) error

var jobTables = map[string]map[string]jobFunc{
	EndpointHVA: {
		jobRunLocalStore:        one((*Handler).RunLocalStore),
		jobRunVolStore:          one((*Handler).RunVolStore),
		jobWaitVolumesAvailable: one((*Handler).WaitVolumesAvailable),
		jobTerminate: func(h *Handler, ctx context.Context, a *jobArgs) error {
			id, force := a.str(0), a.optBool(1)
			if a.err != nil {
				return a.err
			}
			return h.Terminate(ctx, id, force)
		},
		jobCleanup:      one((*Handler).Cleanup),
		jobStop:         one((*Handler).Stop),
		jobReboot:       one((*Handler).Reboot),
		jobPowerOff:     one((*Handler).PowerOff),
		jobSoftPowerOff: one((*Handler).SoftPowerOff),
		jobPowerOn:      one((*Handler).PowerOn),
		jobAttach:       two((*Handler).Attach),
		jobDetach:       two((*Handler).Detach),
		jobAttachNIC:    nicJob((*Handler).AttachNIC),
		jobDetachNIC:    nicJob((*Handler).DetachNIC),
	},
	EndpointLocalStore: {
		jobRunLocalStore: one((*Handler).LocalStoreRun),
		jobDeleteVolume:  two((*Handler).DeleteVolume),
		jobBackupImage:   three((*Handler).BackupImage),
		jobBackupVolume:  three((*Handler).BackupVolume),
	},
}

func one(f func(*Handler, context.Context, string) error) jobFunc {
	return func(h *Handler, ctx context.Context, a *jobArgs) error {
		x := a.str(0)
		if a.err != nil {
			return a.err
		}
		return f(h, ctx, x)
	}
}

func two(f func(*Handler, context.Context, string, string) error) jobFunc {
	return func(h *Handler, ctx context.Context, a *jobArgs) error {
		x, y := a.str(0), a.str(1)
		if a.err != nil {
			return a.err
		}
		return f(h, ctx, x, y)
	}
}

func three(f func(*Handler, context.Context, string, string, string) error) jobFunc {
	return func(h *Handler, ctx context.Context, a *jobArgs) error {
		x, y, z := a.str(0), a.str(1), a.str(2)
		if a.err != nil {
			return a.err
		}
		return f(h, ctx, x, y, z)
	}
}

// nicJob adapts attach_nic/detach_nic(dc_network, vif_id[, port]): the
// DC network and port are bridge notions ESXi has no use for.
func nicJob(f func(*Handler, context.Context, string) error) jobFunc {
	return func(h *Handler, ctx context.Context, a *jobArgs) error {
		_, vif := a.str(0), a.str(1)
		if a.err != nil {
			return a.err
		}
		return f(h, ctx, vif)
	}
}

// jobArgs reads positional arguments, remembering the first problem.
// Methods return zero values after an error; Dispatch's callers see the
// error because every job method checks its ids first.
type jobArgs struct {
	job  string
	args []any
	err  error
}

func (a *jobArgs) str(i int) string {
	if i >= len(a.args) {
		a.fail(fmt.Errorf("%w: %s needs argument %d, got %d", ErrBadArgs, a.job, i+1, len(a.args)))
		return ""
	}
	switch v := a.args[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case fmt.Stringer:
		return v.String()
	case nil:
		return ""
	}
	if s, ok := stringish(a.args[i]); ok {
		return s
	}
	// Wakame sometimes passes a whole hash (e.g. the instance) where an id
	// is expected; take its uuid.
	if m, ok := asMap(a.args[i]); ok {
		if s, ok := stringish(m["uuid"]); ok {
			return s
		}
	}
	a.fail(fmt.Errorf("%w: %s argument %d is %T, want a string id", ErrBadArgs, a.job, i+1, a.args[i]))
	return ""
}

func (a *jobArgs) optBool(i int) bool {
	if i >= len(a.args) {
		return false
	}
	b, _ := a.args[i].(bool)
	return b
}

func (a *jobArgs) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}
