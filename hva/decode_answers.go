package hva

import (
	"context"
	"fmt"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// DecodeVolume decodes the hash of sta-collector's get_volume
// (Volume#to_hash plus volume_device and source_backup_object).
func DecodeVolume(raw map[string]any) (*Volume, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no volume (nil hash)", ErrBadInstance)
	}
	var err error
	v := decodeVolume(fields{m: raw, err: &err}, "")
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DecodeBackupObject decodes the hash of sta-collector's
// get_backup_object: the row plus its backup_storage and uri.
func DecodeBackupObject(raw map[string]any) (*BackupObject, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no backup object (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	bo := &BackupObject{ID: f.str("uuid", true), URI: f.str("uri", false)}
	if bo.URI == "" {
		if st, ok := f.sub("backup_storage", true); ok {
			bo.URI = joinURI(st.str("base_uri", true), f.str("object_key", true))
		}
	}
	if err != nil {
		return nil, err
	}
	return bo, nil
}

// DecodeNIC decodes the hash of hva-collector's get_nic
// (NetworkVif#to_hash).
func DecodeNIC(raw map[string]any) (*NIC, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no vif (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	v := decodeVif(f)
	n := &NIC{ID: v.ID, MAC: v.MAC, InstanceID: f.str("instance_uuid", true)}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// answerFor checks that the collector's answer to rpc(want) is about
// want: Wakame looks objects up by their canonical uuid, so any other
// uuid is a confused or hostile collector, and acting on it would touch
// an object the job did not name.
func answerFor(rpc, want, got string) error {
	if got != want {
		return fmt.Errorf("%w: %w: %s %s answered with uuid %q; nothing of it was touched", ErrBadInstance, ErrWrongObject, rpc, want, got)
	}
	return nil
}

// ask validates id (named what in messages), asks the collector's rpc
// for it with get, and decodes the answer, which must be about id.
func ask[T any](ctx context.Context, rpc, what, id string, get func(context.Context, string) (map[string]any, error),
	decode func(map[string]any) (*T, error), idOf func(*T) string) (*T, error) {
	if err := esxi.ValidateID(id); err != nil {
		return nil, fmt.Errorf("%w: %s id: %w", ErrBadArgs, what, err)
	}
	raw, err := get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rpc, id, err)
	}
	v, err := decode(raw)
	if err == nil {
		err = answerFor(rpc, id, idOf(v))
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rpc, id, err)
	}
	return v, nil
}

// DecodeMonitorRow decodes one row of hva-collector's
// get_instance_monitor_data ({uuid, hypervisor, status, state,
// created_at, updated_at}); the monitor reads uuid, state and status.
func DecodeMonitorRow(raw map[string]any) (MonitoredInstance, error) {
	if raw == nil {
		return MonitoredInstance{}, fmt.Errorf("%w: no monitor row (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	row := MonitoredInstance{UUID: f.str("uuid", true), State: f.str("state", false), Status: f.str("status", false)}
	if err != nil {
		return MonitoredInstance{}, err
	}
	return row, nil
}
