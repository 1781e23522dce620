package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Time is a timestamp in a Web API document. It decodes null, RFC 3339 and
// the forms Ruby prints ("2012-03-29 10:00:00 UTC", "... +0900") and encodes
// as RFC 3339 in UTC, or null when zero.
type Time struct{ time.Time }

var rubyTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
}

// ParseTime parses s in any form Time accepts.
func ParseTime(s string) (Time, error) {
	if s == "" {
		return Time{}, nil
	}
	for _, layout := range rubyTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return Time{t.UTC()}, nil
		}
	}
	return Time{}, fmt.Errorf("timestamp %q is neither RFC 3339 nor Ruby's Time#to_s form", s)
}

// UnmarshalJSON decodes null or a timestamp string.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// MarshalJSON encodes RFC 3339 in UTC, or null when zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339))
}

// HostNode is a host_nodes record as the Web API shows it (responses/host_node.rb).
type HostNode struct {
	ID                  string `json:"id"`
	UUID                string `json:"uuid"`
	NodeID              string `json:"node_id"`
	DisplayName         string `json:"display_name"`
	Arch                string `json:"arch"`
	Hypervisor          string `json:"hypervisor"`
	OfferingCPUCores    int    `json:"offering_cpu_cores"`
	OfferingMemorySize  int    `json:"offering_memory_size"`
	OfferingDiskSpaceMB int    `json:"offering_disk_space_mb"`
	SchedulingEnabled   bool   `json:"scheduling_enabled"`
	// Status is "online", "timeout" or "offline" (no node_states row).
	Status    string `json:"status"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// BackupStorage is a backup_storages record (responses/backup_storage.rb).
type BackupStorage struct {
	ID          string `json:"id"`
	UUID        string `json:"uuid"`
	DisplayName string `json:"display_name"`
	// StorageType is "local", "webdav" or "ifs".
	StorageType string `json:"storage_type"`
	Description string `json:"description"`
	// BaseURI ends with "/": an object's URI is BaseURI + ObjectKey.
	BaseURI   string `json:"base_uri"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
	DeletedAt Time   `json:"deleted_at"`
}

// ObjectRef is the nested {"id": ...} of a backup object's storage.
type ObjectRef struct {
	ID string `json:"id"`
}

// BackupObject is a backup_objects record (responses/backup_object.rb).
type BackupObject struct {
	ID              string    `json:"id"`
	UUID            string    `json:"uuid"`
	AccountID       string    `json:"account_id"`
	State           string    `json:"state"`
	Size            int64     `json:"size"`
	AllocationSize  int64     `json:"allocation_size"`
	BackupStorageID string    `json:"backup_storage_id"`
	ObjectKey       string    `json:"object_key"`
	Checksum        string    `json:"checksum"`
	Progress        float64   `json:"progress"`
	BackupStorage   ObjectRef `json:"backup_storage"`
	Description     string    `json:"description"`
	DisplayName     string    `json:"display_name"`
	ServiceType     string    `json:"service_type"`
	CreatedAt       Time      `json:"created_at"`
	UpdatedAt       Time      `json:"updated_at"`
	DeletedAt       Time      `json:"deleted_at"`
}

// Image is an images record (the model's to_hash plus id).
type Image struct {
	ID                string `json:"id"`
	UUID              string `json:"uuid"`
	AccountID         string `json:"account_id"`
	BackupObjectID    string `json:"backup_object_id"`
	DisplayName       string `json:"display_name"`
	Description       string `json:"description"`
	Arch              string `json:"arch"`
	IsPublic          bool   `json:"is_public"`
	State             string `json:"state"`
	BootDevType       int    `json:"boot_dev_type"`
	FileFormat        string `json:"file_format"`
	ServiceType       string `json:"service_type"`
	OSType            string `json:"os_type"`
	IsCacheable       bool   `json:"is_cacheable"`
	InstanceModelName string `json:"instance_model_name"`
	CreatedAt         Time   `json:"created_at"`
	UpdatedAt         Time   `json:"updated_at"`
	DeletedAt         Time   `json:"deleted_at"`
}

// Page is one page of a list answer:
// [{"total":N,"start":S,"limit":L,"results":[...]}].
type Page[T any] struct {
	Total   int `json:"total"`
	Start   int `json:"start"`
	Limit   int `json:"limit"`
	Results []T `json:"results"`
}
