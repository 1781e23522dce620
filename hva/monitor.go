package hva

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// MonitoredInstance is one row of the collector's
// get_instance_monitor_data: an instance Wakame believes runs on this
// node.
type MonitoredInstance struct {
	UUID   string
	State  string // running, halting, shuttingdown, ...
	Status string // online or offline
}

// InstanceMonitorSource is implemented by collectors that answer
// get_instance_monitor_data (hva/isono's and hva/hvatest's do).
type InstanceMonitorSource interface {
	InstanceMonitorData(ctx context.Context, nodeID string) ([]MonitoredInstance, error)
}

// CheckInstances compares the VMs on the host with the collector's view,
// as Wakame's InstanceMonitor does every 5 s: an instance reported online
// whose VM is gone or not powered on is set offline and
// hva/fault_instance is published with its id; one reported offline whose
// VM runs is set online again. It returns the ids found faulty.
func (h *Handler) CheckInstances(ctx context.Context) ([]string, error) {
	src, ok := h.col.(InstanceMonitorSource)
	if !ok {
		return nil, fmt.Errorf("%w: the collector does not answer get_instance_monitor_data", ErrUnsupported)
	}
	insts, err := src.InstanceMonitorData(ctx, h.opts.NodeID)
	if err != nil {
		return nil, fmt.Errorf("get_instance_monitor_data: %w", err)
	}
	vms, err := h.hv.ListVMs(ctx)
	if err != nil {
		return nil, err
	}
	on := make(map[string]bool, len(vms))
	for _, vm := range vms {
		on[vm.Name] = vm.PowerState == esxi.PoweredOn
	}
	var faulty []string
	for _, inst := range insts {
		running := on[inst.UUID]
		switch {
		case !running && inst.Status == statusOnline:
			faulty = append(faulty, inst.UUID)
			h.log.Error("instance is not running on the host", "instance_id", inst.UUID, "state", inst.State)
			if err := h.col.UpdateInstance(ctx, inst.UUID, map[string]any{"status": Symbol(statusOffline)}); err != nil {
				h.log.Warn("update_instance status failed", "instance_id", inst.UUID, "err", err)
			}
			h.publish(ctx, evFaultInstance, inst.UUID)
		case running && inst.Status != statusOnline:
			if err := h.col.UpdateInstance(ctx, inst.UUID, map[string]any{"status": Symbol(statusOnline)}); err != nil {
				h.log.Warn("update_instance status failed", "instance_id", inst.UUID, "err", err)
			}
		}
	}
	return faulty, nil
}

// Monitor runs CheckInstances every interval (5 s when zero) until ctx
// ends. Errors are logged and the loop goes on.
func (h *Handler) Monitor(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := h.CheckInstances(ctx); err != nil && ctx.Err() == nil {
				h.log.LogAttrs(ctx, slog.LevelWarn, "instance monitor", slog.Any("err", err))
			}
		}
	}
}
