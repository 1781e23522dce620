package hva

import (
	"fmt"
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

// decodeInstanceFor is DecodeInstance for the answer to
// get_instance(id): the answer must be about id.
func decodeInstanceFor(id string, raw map[string]any) (*Instance, error) {
	inst, err := DecodeInstance(raw)
	if err != nil {
		return nil, err
	}
	if err := answerFor("get_instance", id, inst.ID); err != nil {
		return nil, err
	}
	return inst, nil
}

// decodeVolumeFor is DecodeVolume for the answer to get_volume(id).
func decodeVolumeFor(id string, raw map[string]any) (*Volume, error) {
	v, err := DecodeVolume(raw)
	if err != nil {
		return nil, err
	}
	if err := answerFor("get_volume", id, v.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeBackupObjectFor is DecodeBackupObject for the answer to
// get_backup_object(id).
func decodeBackupObjectFor(id string, raw map[string]any) (*BackupObject, error) {
	bo, err := DecodeBackupObject(raw)
	if err != nil {
		return nil, err
	}
	if err := answerFor("get_backup_object", id, bo.ID); err != nil {
		return nil, err
	}
	return bo, nil
}

// decodeNICFor is DecodeNIC for the answer to get_nic(id).
func decodeNICFor(id string, raw map[string]any) (*NIC, error) {
	n, err := DecodeNIC(raw)
	if err != nil {
		return nil, err
	}
	if err := answerFor("get_nic", id, n.ID); err != nil {
		return nil, err
	}
	return n, nil
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
