package isono

import (
	"context"
	"fmt"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
)

// Collector endpoints of Wakame.
const (
	HVACollector  = "hva-collector"
	STACollector  = "sta-collector"
	NodeCollector = "node-collector"
	JobCollector  = "job-collector"
)

// Collector is Wakame's hva-collector and sta-collector over RPC; it
// implements hva.Collector, hva.NICSource and hva.InstanceMonitorSource.
type Collector struct{ n *Node }

var (
	_ hva.Collector             = Collector{}
	_ hva.NICSource             = Collector{}
	_ hva.InstanceMonitorSource = Collector{}
)

// Collector returns the RPC client of the node's collectors.
func (n *Node) Collector() Collector { return Collector{n: n} }

func (c Collector) hash(ctx context.Context, endpoint, command string, args ...any) (map[string]any, error) {
	v, err := c.n.Call(ctx, endpoint, command, args...)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s.%s answered a %T, want a Hash", ErrBadMessage, endpoint, command, v)
	}
	return m, nil
}

func (c Collector) do(ctx context.Context, endpoint, command string, args ...any) error {
	_, err := c.n.Call(ctx, endpoint, command, args...)
	return err
}

// GetInstance implements hva.Collector.
func (c Collector) GetInstance(ctx context.Context, id string) (map[string]any, error) {
	return c.hash(ctx, HVACollector, "get_instance", id)
}

// UpdateInstance implements hva.Collector.
func (c Collector) UpdateInstance(ctx context.Context, id string, fields map[string]any) error {
	return c.do(ctx, HVACollector, "update_instance", id, fields)
}

// FinalizeInstance implements hva.Collector.
func (c Collector) FinalizeInstance(ctx context.Context, id string, at time.Time) error {
	return c.do(ctx, HVACollector, "finalize_instance", id, at)
}

// GetVolume implements hva.Collector.
func (c Collector) GetVolume(ctx context.Context, id string) (map[string]any, error) {
	return c.hash(ctx, STACollector, "get_volume", id)
}

// UpdateVolume implements hva.Collector.
func (c Collector) UpdateVolume(ctx context.Context, id string, fields map[string]any) error {
	return c.do(ctx, STACollector, "update_volume", id, fields)
}

// GetBackupObject implements hva.Collector.
func (c Collector) GetBackupObject(ctx context.Context, id string) (map[string]any, error) {
	return c.hash(ctx, STACollector, "get_backup_object", id)
}

// UpdateBackupObject implements hva.Collector.
func (c Collector) UpdateBackupObject(ctx context.Context, id string, fields map[string]any) error {
	return c.do(ctx, STACollector, "update_backup_object", id, fields)
}

// UpdateImage implements hva.Collector.
func (c Collector) UpdateImage(ctx context.Context, id string, fields map[string]any) error {
	return c.do(ctx, HVACollector, "update_image", id, fields)
}

// GetNIC implements hva.NICSource.
func (c Collector) GetNIC(ctx context.Context, vifID string) (map[string]any, error) {
	return c.hash(ctx, HVACollector, "get_nic", vifID)
}

// InstanceMonitorData implements hva.InstanceMonitorSource.
func (c Collector) InstanceMonitorData(ctx context.Context, nodeID string) ([]hva.MonitoredInstance, error) {
	v, err := c.n.Call(ctx, HVACollector, "get_instance_monitor_data", nodeID)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok && v != nil {
		return nil, fmt.Errorf("%w: get_instance_monitor_data answered a %T, want an Array", ErrBadMessage, v)
	}
	out := make([]hva.MonitoredInstance, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: get_instance_monitor_data row is a %T", ErrBadMessage, e)
		}
		row, err := hva.DecodeMonitorRow(m)
		if err != nil {
			return nil, fmt.Errorf("get_instance_monitor_data: %w", err)
		}
		out = append(out, row)
	}
	return out, nil
}
