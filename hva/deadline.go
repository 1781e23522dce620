package hva

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrDeadline: a job ran longer than its deadline (Options.JobDeadlines)
// and was cancelled; what it had done was rolled back as for any failure.
var ErrDeadline = errors.New("job deadline exceeded")

// JobDeadlines bound how long a job may run once it holds its instance's
// lock and a concurrency slot, by kind of job. A zero field takes its
// default. A job past its deadline is cancelled (transfers stop), rolled
// back, and its slot freed; its error wraps ErrDeadline.
type JobDeadlines struct {
	// Launch: run_local_store, local_store's run_local_store,
	// run_vol_store and wait_volumes_available. Default DefaultLaunchDeadline.
	Launch time.Duration
	// Backup: backup_image and backup_volume. Default DefaultBackupDeadline.
	Backup time.Duration
	// Other: every other job (power verbs, terminate, cleanup, devices,
	// delete_volume). Default DefaultOtherDeadline, and never less than
	// SoftPowerOffTimeout plus 5 minutes.
	Other time.Duration
	// Cleanup bounds what a failed or cancelled job does afterwards on
	// its own clock (a launch's rollback, putting back a state): it runs
	// even when the job's deadline has passed, and this keeps a host or
	// collector that stopped answering from holding the job's slot.
	// Default DefaultCleanupDeadline.
	Cleanup time.Duration
}

// Default job deadlines. A launch or a backup moves an image: the defaults
// fit a 200 GiB flat at 25 MiB/s (a quarter of a 1 GbE link), 2 h 17 min,
// plus up to 30 minutes waiting for another agent's lock on the same image
// (image.CacheOptions.LockTimeout) and the copy and boot. Stalls are caught
// within a minute by the transfers' watchdogs; a deadline is the backstop
// for a peer that trickles. Other jobs are a few ESXi calls and at most a
// metadata CD upload (tens of MB) or a soft power-off wait.
const (
	DefaultLaunchDeadline = 3 * time.Hour
	DefaultBackupDeadline = 3 * time.Hour
	DefaultOtherDeadline  = 15 * time.Minute
	// DefaultCleanupDeadline: a rollback is a few ESXi calls (destroy
	// the VM, delete its folder) and collector updates.
	DefaultCleanupDeadline = 10 * time.Minute
)

// launchJobs and backupJobs name the jobs of those kinds; both
// endpoints' run_local_store are launches.
var launchJobs = map[string]bool{
	jobRunLocalStore: true, jobRunVolStore: true, jobWaitVolumesAvailable: true,
}

var backupJobs = map[string]bool{jobBackupImage: true, jobBackupVolume: true}

// deadline returns the deadline of the job named name.
func (h *Handler) deadline(name string) time.Duration {
	d := h.opts.JobDeadlines
	switch {
	case launchJobs[name]:
		if d.Launch > 0 {
			return d.Launch
		}
		return DefaultLaunchDeadline
	case backupJobs[name]:
		if d.Backup > 0 {
			return d.Backup
		}
		return DefaultBackupDeadline
	}
	other := d.Other
	if other <= 0 {
		other = max(DefaultOtherDeadline, h.opts.SoftPowerOffTimeout+5*time.Minute)
	}
	return other
}

// withDeadline bounds ctx by the job's deadline; the cause names it.
func (h *Handler) withDeadline(ctx context.Context, name, id string) (context.Context, context.CancelFunc) {
	d := h.deadline(name)
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("%w: %s %s ran for more than %s", ErrDeadline, name, id, d))
}

// cleanupContext is ctx without its cancellation, for the work a failed
// or cancelled job still owes, bounded by the cleanup deadline.
func (h *Handler) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := h.opts.JobDeadlines.Cleanup
	if d <= 0 {
		d = DefaultCleanupDeadline
	}
	return context.WithTimeoutCause(context.WithoutCancel(ctx), d, fmt.Errorf("%w: cleanup ran for more than %s", ErrDeadline, d))
}

// deadlineErr puts the deadline in front of err when the job's context
// ended by its deadline (the job then mostly reports a bare "context
// deadline exceeded").
func deadlineErr(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, ErrDeadline) {
		return err
	}
	if c := context.Cause(ctx); errors.Is(c, ErrDeadline) {
		return fmt.Errorf("%w: %w", c, err)
	}
	return err
}
