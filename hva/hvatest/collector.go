package hvatest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
)

// ErrUnknown is returned for an id the collector does not hold, as
// Wakame's collector raises "UnknownInstanceID".
var ErrUnknown = errors.New("unknown id")

// Call is one recorded collector call: the Wakame RPC name
// ("update_instance") and its arguments.
type Call struct {
	Method string
	Args   []any
}

// Collector is an in-memory Wakame collector: it holds instances,
// volumes, backup objects, images and vifs as generic hashes, answers the
// hva.Collector calls on them as Wakame's hva-collector and sta-collector
// do, and records every call. It is safe for concurrent use.
type Collector struct {
	mu        sync.Mutex
	instances map[string]map[string]any
	volumes   map[string]map[string]any
	backups   map[string]map[string]any
	images    map[string]map[string]any
	nics      map[string]map[string]any
	calls     []Call
	faults    map[string]*fault
	now       func() time.Time
}

type fault struct {
	times int
	err   error
}

var (
	_ hva.Collector             = (*Collector)(nil)
	_ hva.NICSource             = (*Collector)(nil)
	_ hva.InstanceMonitorSource = (*Collector)(nil)
)

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{
		instances: map[string]map[string]any{},
		volumes:   map[string]map[string]any{},
		backups:   map[string]map[string]any{},
		images:    map[string]map[string]any{},
		nics:      map[string]map[string]any{},
		faults:    map[string]*fault{},
		now:       time.Now,
	}
}

// AddInstance stores an instance hash (as get_instance returns it, e.g.
// from NewInstance) under its uuid, with its volumes (for get_volume),
// vifs (for get_nic) and image.
func (c *Collector) AddInstance(inst map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	inst = deepCopy(inst).(map[string]any)
	id := fmt.Sprint(inst["uuid"])
	if vols, ok := inst["volume"].(map[string]any); ok {
		for vid, v := range vols {
			vm := v.(map[string]any)
			vm["uuid"] = vid
			if vm["instance_id"] == nil {
				vm["instance_id"] = inst["id"]
			}
			c.volumes[vid] = vm
		}
		delete(inst, "volume")
	}
	// get_nic answers NetworkVif#to_hash: the instance_nics entries,
	// or the vif entries without what Instance#to_hash adds.
	nics, ok := inst["instance_nics"].([]any)
	if !ok || len(nics) == 0 {
		nics, _ = inst["vif"].([]any)
	}
	for _, v := range nics {
		vm := v.(map[string]any)
		n := maps.Clone(vm)
		delete(n, "vif_id")
		delete(n, "ipv4")
		n["instance_uuid"] = id
		c.nics[fmt.Sprint(vm["uuid"])] = n
	}
	if img, ok := inst["image"].(map[string]any); ok {
		c.images[fmt.Sprint(img["uuid"])] = maps.Clone(img)
	}
	c.instances[id] = inst
}

// AddVolume stores a volume hash (as get_volume returns it) under its
// uuid; it belongs to the instance its instance_id names, if any.
func (c *Collector) AddVolume(vol map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.volumes[fmt.Sprint(vol["uuid"])] = deepCopy(vol).(map[string]any)
}

// AddBackupObject stores a backup object hash under its uuid.
func (c *Collector) AddBackupObject(bo map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.backups[fmt.Sprint(bo["uuid"])] = deepCopy(bo).(map[string]any)
}

// AddNIC stores a vif for get_nic (AddInstance adds the instance's).
func (c *Collector) AddNIC(vif map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nics[fmt.Sprint(vif["uuid"])] = deepCopy(vif).(map[string]any)
}

// Fail makes the next times calls of method (a Wakame RPC name such as
// "update_instance") fail with err; times < 0 fails them all.
func (c *Collector) Fail(method string, times int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults[method] = &fault{times: times, err: err}
}

// record notes a call and returns an injected fault. c.mu is held.
func (c *Collector) record(method string, args ...any) error {
	for i, a := range args {
		args[i] = deepCopy(a)
	}
	c.calls = append(c.calls, Call{Method: method, Args: args})
	f := c.faults[method]
	if f == nil || f.times == 0 {
		return nil
	}
	if f.times > 0 {
		f.times--
	}
	return f.err
}

// Calls returns the calls so far, in order.
func (c *Collector) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Methods returns the method names of the calls so far, in order; with
// methods given, only those.
func (c *Collector) Methods(methods ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, call := range c.calls {
		if len(methods) == 0 || contains(methods, call.Method) {
			out = append(out, call.Method)
		}
	}
	return out
}

// Updates returns the field hashes sent with method ("update_instance",
// "update_volume", ...) for id, in order.
func (c *Collector) Updates(method, id string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, call := range c.calls {
		if call.Method == method && len(call.Args) == 2 && fmt.Sprint(call.Args[0]) == id {
			if m, ok := call.Args[1].(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// ResetCalls forgets the recorded calls.
func (c *Collector) ResetCalls() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
}

// Instance returns a copy of the instance's current hash, or nil.
func (c *Collector) Instance(id string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.instances[id]; ok {
		return deepCopy(m).(map[string]any)
	}
	return nil
}

// State returns the instance's state as a string ("" when unknown).
func (c *Collector) State(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return str(c.instances[id]["state"])
}

// VolumeState returns the volume's state as a string.
func (c *Collector) VolumeState(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return str(c.volumes[id]["state"])
}

// BackupObject returns a copy of the backup object's hash, or nil.
func (c *Collector) BackupObject(id string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.backups[id]; ok {
		return deepCopy(m).(map[string]any)
	}
	return nil
}

// Image returns a copy of the image's hash, or nil.
func (c *Collector) Image(id string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.images[id]; ok {
		return deepCopy(m).(map[string]any)
	}
	return nil
}

// GetInstance implements hva.Collector: the instance with its volumes'
// current states, as Wakame's get_instance answers.
func (c *Collector) GetInstance(_ context.Context, id string) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record("get_instance", id); err != nil {
		return nil, err
	}
	inst, ok := c.instances[id]
	if !ok {
		return nil, fmt.Errorf("UnknownInstanceID: '%s': %w", id, ErrUnknown)
	}
	out := deepCopy(inst).(map[string]any)
	vols := map[string]any{}
	for vid, v := range c.volumes {
		if belongs(v, inst) {
			vols[vid] = deepCopy(v)
		}
	}
	out["volume"] = vols
	return out, nil
}

// UpdateInstance implements hva.Collector: the fields are merged into the
// instance; {state: terminated} finalizes it, as Wakame does.
func (c *Collector) UpdateInstance(_ context.Context, id string, fields map[string]any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record("update_instance", id, fields); err != nil {
		return err
	}
	inst, ok := c.instances[id]
	if !ok {
		return fmt.Errorf("UnknownInstanceID: '%s': %w", id, ErrUnknown)
	}
	if str(fields["state"]) == "terminated" {
		at, _ := fields["terminated_at"].(time.Time)
		c.finalize(inst, at)
		return nil
	}
	maps.Copy(inst, deepCopy(fields).(map[string]any))
	return nil
}

// FinalizeInstance implements hva.Collector: the instance becomes
// terminated and offline, and its volumes still alive go to deleting.
func (c *Collector) FinalizeInstance(_ context.Context, id string, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record("finalize_instance", id, at); err != nil {
		return err
	}
	inst, ok := c.instances[id]
	if !ok {
		return fmt.Errorf("UnknownInstanceID: '%s': %w", id, ErrUnknown)
	}
	c.finalize(inst, at)
	return nil
}

func (c *Collector) finalize(inst map[string]any, at time.Time) {
	if at.IsZero() {
		at = c.now().UTC()
	}
	inst["state"] = hva.Symbol("terminated")
	inst["status"] = hva.Symbol("offline")
	inst["terminated_at"] = at
	for _, v := range c.volumes {
		if belongs(v, inst) && str(v["state"]) != "deleted" {
			v["state"] = hva.Symbol("deleting")
		}
	}
}

// GetVolume implements hva.Collector: the volume as sta-collector's
// get_volume gives it (Volume#to_hash, its volume_device, and its
// backup object as source_backup_object).
func (c *Collector) GetVolume(_ context.Context, id string) (map[string]any, error) {
	v, err := c.get("get_volume", c.volumes, "UnknownVolumeID", id)
	if err != nil {
		return nil, err
	}
	v["source_backup_object"] = v["backup_object"]
	delete(v, "backup_object")
	return v, nil
}

// UpdateVolume implements hva.Collector. A deleted volume is kept (with
// state deleted) so tests can inspect it.
func (c *Collector) UpdateVolume(_ context.Context, id string, fields map[string]any) error {
	return c.update("update_volume", c.volumes, "UnknownVolumeID", id, fields)
}

// GetBackupObject implements hva.Collector.
func (c *Collector) GetBackupObject(_ context.Context, id string) (map[string]any, error) {
	return c.get("get_backup_object", c.backups, "UnknownBackupObjectID", id)
}

// UpdateBackupObject implements hva.Collector.
func (c *Collector) UpdateBackupObject(_ context.Context, id string, fields map[string]any) error {
	return c.update("update_backup_object", c.backups, "UnknownBackupObjectID", id, fields)
}

// UpdateImage implements hva.Collector.
func (c *Collector) UpdateImage(_ context.Context, id string, fields map[string]any) error {
	return c.update("update_image", c.images, "UnknownImageID", id, fields)
}

func (c *Collector) get(method string, table map[string]map[string]any, unknown, id string) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record(method, id); err != nil {
		return nil, err
	}
	row, ok := table[id]
	if !ok {
		return nil, fmt.Errorf("%s: '%s': %w", unknown, id, ErrUnknown)
	}
	return deepCopy(row).(map[string]any), nil
}

func (c *Collector) update(method string, table map[string]map[string]any, unknown, id string, fields map[string]any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record(method, id, fields); err != nil {
		return err
	}
	row, ok := table[id]
	if !ok {
		return fmt.Errorf("%s: '%s': %w", unknown, id, ErrUnknown)
	}
	maps.Copy(row, deepCopy(fields).(map[string]any))
	return nil
}

// GetNIC implements hva.NICSource.
func (c *Collector) GetNIC(_ context.Context, id string) (map[string]any, error) {
	return c.get("get_nic", c.nics, "UnknownVifID", id)
}

// InstanceMonitorData implements hva.InstanceMonitorSource: the running,
// halting and shuttingdown instances placed on nodeID.
func (c *Collector) InstanceMonitorData(_ context.Context, nodeID string) ([]hva.MonitoredInstance, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.record("get_instance_monitor_data", nodeID); err != nil {
		return nil, err
	}
	var out []hva.MonitoredInstance
	for id, inst := range c.instances {
		hn, _ := inst["host_node"].(map[string]any)
		switch st := str(inst["state"]); {
		case hn == nil || str(hn["node_id"]) != nodeID:
		case st == "running" || st == "halting" || st == "shuttingdown":
			out = append(out, hva.MonitoredInstance{UUID: id, State: st, Status: str(inst["status"])})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out, nil
}

// belongs reports whether volume vol is the instance's: its instance_id
// is the instance's row id, as in Wakame, or (for volumes a test added by
// hand) its uuid.
func belongs(vol, inst map[string]any) bool {
	owner := str(vol["instance_id"])
	if owner == "" {
		owner = str(vol["instance_uuid"])
	}
	return owner != "" && (owner == str(inst["id"]) || owner == str(inst["uuid"]))
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// str renders a string-kinded value (string or Symbol).
func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// deepCopy copies maps and slices so recorded calls and stored rows do
// not alias the caller's.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case []string:
		return append([]string(nil), x...)
	}
	return v
}
