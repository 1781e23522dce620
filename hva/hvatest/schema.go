package hvatest

import (
	"fmt"
	"maps"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
)

// Kind is how a Wakame column arrives at the agent: Sequel reads it from
// MySQL, to_hash copies it (values.dup), Ruby's Marshal carries it, and
// the transport gives these Go values.
type Kind int

// The column kinds and the Go value each gives.
const (
	// Int is an int(11) or bigint column, foreign keys and ids
	// included: int64 (nil when NULL).
	Int Kind = iota
	// String is a varchar or text column: string (text columns are ""
	// rather than nil: Taggable#to_hash calls to_s on them).
	String
	// Time is a datetime column: time.Time in UTC (nil when NULL).
	Time
	// Bool is a tinyint(1) column: bool.
	Bool
	// Float is a double or float column: float64 (nil when NULL).
	Float
	// Hash is a YAML-serialized column: map[string]any.
	Hash
	// Array is an Array a to_hash method adds: []any.
	Array
)

// Column is one field of a Wakame row.
type Column struct {
	Name string
	Kind Kind
	// Null is the value when a row does not set it: nil for a nullable
	// column, else the kind's zero or the column's default.
	Null any
}

// created is the timestamp of every fake row.
var created = time.Date(2026, 11, 20, 8, 15, 30, 0, time.UTC)

// Schema holds the columns of each Wakame row NewInstance and the other
// builders produce, from dcmgr's migrations (the table's create_table in
// 0001/0002 and every later alter_table) and to_hash methods (fields
// they add). It is the one table the fake's hashes come from;
// hvatest's fixture test compares it, field by field and type by type,
// with hashes real Ruby dumped (hva/testdata/wakame).
var Schema = map[string][]Column{
	"instances": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"host_node_id", Int, nil}, {"image_id", Int, int64(0)}, {"state", String, "init"},
		{"status", String, "init"}, {"hostname", String, ""}, {"ssh_key_pair_id", Int, nil},
		{"ha_enabled", Int, int64(0)}, {"quota_weight", Float, 0.0}, {"cpu_cores", Int, int64(1)},
		{"memory_size", Int, int64(256)}, {"user_data", String, ""}, {"runtime_config", Hash, map[string]any{}},
		{"request_params", Hash, map[string]any{}}, {"terminated_at", Time, nil}, {"created_at", Time, created},
		{"updated_at", Time, created}, {"service_type", String, "std"}, {"display_name", String, ""},
		{"hypervisor", String, "esxi"}, {"boot_volume_id", String, ""}, {"encrypted_password", String, ""},
		{"password_will_be_deleted_at", Time, nil},
		{"labels", Array, nil}, // Plugins::ResourceLabel#to_hash
	},
	"images": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"created_at", Time, created}, {"updated_at", Time, created}, {"boot_dev_type", Int, int64(2)},
		{"arch", String, "x86_64"}, {"description", String, ""}, {"is_public", Bool, false},
		{"state", String, "available"}, {"features", Hash, map[string]any{}}, {"file_format", String, "vmdk"},
		{"root_device", String, nil}, {"is_cacheable", Bool, true}, {"instance_model_name", String, ""},
		{"parent_image_id", String, nil}, {"service_type", String, "std"}, {"display_name", String, ""},
		{"backup_object_id", String, nil}, {"deleted_at", Time, nil}, {"volumes", Hash, map[string]any{}},
		{"vifs", Hash, map[string]any{}}, {"os_type", String, "linux"},
		{"labels", Array, nil},
	},
	"backup_objects": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"display_name", String, ""}, {"service_type", String, "std"}, {"backup_storage_id", Int, int64(0)},
		{"size", Int, int64(0)}, {"allocation_size", Int, int64(0)}, {"container_format", String, "none"},
		{"status", Int, int64(0)}, {"state", String, "available"}, {"object_key", String, ""},
		{"checksum", String, ""}, {"description", String, ""}, {"progress", Float, 0.0},
		{"deleted_at", Time, nil}, {"created_at", Time, created}, {"updated_at", Time, created},
		{"purged_at", Time, nil}, {"source_volume_id", String, ""},
		{"labels", Array, nil},
		{"backup_storage", Hash, nil}, // BackupObject#to_hash
	},
	"backup_storages": {
		{"id", Int, int64(0)}, {"uuid", String, ""}, {"display_name", String, ""},
		{"storage_type", String, "webdav"}, {"description", String, ""}, {"base_uri", String, ""},
		{"deleted_at", Time, nil}, {"created_at", Time, created}, {"updated_at", Time, created},
		{"node_id", String, nil},
	},
	"host_nodes": {
		{"id", Int, int64(0)}, {"uuid", String, ""}, {"created_at", Time, created},
		{"updated_at", Time, created}, {"node_id", String, nil}, {"arch", String, "x86_64"},
		{"hypervisor", String, "esxi"}, {"display_name", String, nil}, {"offering_cpu_cores", Int, int64(16)},
		{"offering_memory_size", Int, int64(32768)}, {"offering_disk_space_mb", Int, int64(0)},
		{"scheduling_enabled", Bool, true},
		{"status", String, "online"}, // HostNode#to_hash
	},
	"networks": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"ipv4_network", String, ""}, {"ipv4_gw", String, nil}, {"prefix", Int, int64(24)},
		{"metric", Int, int64(100)}, {"domain_name", String, nil}, {"dns_server", String, nil},
		{"dhcp_server", String, nil}, {"metadata_server", String, nil}, {"metadata_server_port", Int, nil},
		{"nat_network_id", Int, nil}, {"dc_network_id", Int, nil}, {"description", String, ""},
		{"created_at", Time, created}, {"updated_at", Time, created}, {"gateway_network_id", Int, nil},
		{"network_mode", String, "passthrough"}, {"bandwidth", Float, nil}, {"ip_assignment", String, "asc"},
		{"editable", Bool, false}, {"service_type", String, "std"}, {"display_name", String, ""},
		{"bandwidth_mark", Int, int64(0)}, {"network_services", Array, nil}, // Network#to_hash
	},
	"network_vifs": {
		{"id", Int, int64(0)}, {"uuid", String, ""}, {"instance_id", Int, nil},
		{"network_id", Int, nil}, {"nat_network_id", Int, nil}, {"mac_addr", String, ""},
		{"device_index", Int, int64(0)}, {"deleted_at", Time, nil}, {"created_at", Time, created},
		{"updated_at", Time, created}, {"account_id", String, "a-shpoolxx"},
		// NetworkVif#to_hash
		{"address", String, nil}, {"nat_ip_lease", String, nil}, {"instance_uuid", String, nil},
		{"host_node_id", String, nil}, {"network", Hash, nil}, {"security_groups", Array, nil},
		{"network_vif_monitors", Array, nil},
	},
	"volumes": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"status", String, "online"}, {"state", String, "initialized"}, {"size", Int, int64(0)},
		{"instance_id", Int, nil}, {"guest_device_name", String, nil}, {"request_params", Hash, map[string]any{}},
		{"deleted_at", Time, nil}, {"attached_at", Time, nil}, {"detached_at", Time, nil},
		{"created_at", Time, created}, {"updated_at", Time, created}, {"service_type", String, "std"},
		{"display_name", String, ""}, {"backup_object_id", String, nil}, {"volume_type", String, nil},
		{"labels", Array, nil},
		{"is_local_volume", Bool, false}, {"volume_device", Hash, nil}, // Volume#to_hash
	},
	"local_volumes": {
		{"id", Int, int64(0)}, {"instance_id", Int, int64(0)}, {"mount_label", String, "instance"},
		{"path", String, ""},
	},
	"ssh_key_pairs": {
		{"id", Int, int64(0)}, {"account_id", String, "a-shpoolxx"}, {"uuid", String, ""},
		{"finger_print", String, ""}, {"public_key", String, ""}, {"description", String, ""},
		{"created_at", Time, created}, {"updated_at", Time, created}, {"service_type", String, "std"},
		{"display_name", String, ""}, {"deleted_at", Time, nil},
		{"labels", Array, nil},
	},
	"resource_labels": {
		{"id", Int, int64(0)}, {"resource_uuid", String, nil}, {"name", String, ""},
		{"value_type", Int, int64(1)}, {"string_value", String, nil}, {"blob_value", String, nil},
		{"created_at", Time, created}, {"updated_at", Time, created},
	},
}

// Row builds a row of table: every column of Schema, set from values or
// else its Null. It panics on a column the table does not have or a
// value of another kind, so the fake cannot drift from the table.
func Row(table string, values map[string]any) map[string]any {
	cols, ok := Schema[table]
	if !ok {
		panic(fmt.Sprintf("hvatest: no table %q in Schema", table))
	}
	row := make(map[string]any, len(cols))
	for _, c := range cols {
		switch n := c.Null.(type) {
		case map[string]any: // a fresh one per row
			row[c.Name] = maps.Clone(n)
		default:
			row[c.Name] = n
		}
		if c.Kind == Array { // to_hash always gives an Array
			row[c.Name] = []any{}
		}
	}
	for k, v := range values {
		c, ok := column(cols, k)
		if !ok {
			panic(fmt.Sprintf("hvatest: table %s has no column %q", table, k))
		}
		if v != nil && !c.Kind.holds(v) {
			panic(fmt.Sprintf("hvatest: %s.%s is a %v column, got %T", table, k, c.Kind, v))
		}
		row[k] = v
	}
	return row
}

func column(cols []Column, name string) (Column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// holds reports whether v is a Go value of kind k.
func (k Kind) holds(v any) bool {
	switch v.(type) {
	case int64:
		return k == Int
	case string:
		return k == String
	case time.Time:
		return k == Time
	case bool:
		return k == Bool
	case float64:
		return k == Float
	case map[string]any:
		return k == Hash
	case []any:
		return k == Array
	}
	return false
}

// String names the kind.
func (k Kind) String() string {
	return [...]string{"Integer", "String", "Time", "Bool", "Float", "Hash", "Array"}[k]
}

// MonitorRow is one row of hva-collector's get_instance_monitor_data for
// m, as Wakame builds it (hva_collector.rb): uuid, hypervisor, status,
// state, created_at, updated_at, the states Strings from the database.
func MonitorRow(m hva.MonitoredInstance) map[string]any {
	return map[string]any{"uuid": m.UUID, "hypervisor": "esxi", "status": m.Status, "state": m.State,
		"created_at": created, "updated_at": created}
}
