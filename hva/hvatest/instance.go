package hvatest

import (
	"fmt"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/hva"
)

// InstanceSpec describes a test instance; NewInstance turns it into the
// hash get_instance returns.
type InstanceSpec struct {
	ID       string // default "i-test0001"
	State    string // default "initializing"
	NodeID   string // host node's node id, default "hva.test"
	CPUCores int    // default 1
	MemoryMB int    // default 256
	Hostname string // default the id without "i-"
	// ImageURI is the flat's URI and ImageMD5 its md5 (backup_object.uri
	// and .checksum of current Wakame); ImageSize its size.
	ImageURI  string
	ImageMD5  string
	ImageSize int64
	// MACs gives one vif per MAC (12 hex digits), on 10.0.<i>.0/24 with
	// address 10.0.<i>.10 and security group "sg-test<i>".
	MACs []string
	// LocalVolumes adds local volumes of these sizes (bytes), in state
	// "available"; the first is the boot volume.
	LocalVolumes []int64
	SSHKey       string // a public key; none when empty
	UserData     string
}

// NewInstance returns the hash hva-collector's get_instance gives for
// spec, in the shape of current Wakame (image.backup_object).
func NewInstance(spec InstanceSpec) map[string]any {
	if spec.ID == "" {
		spec.ID = "i-test0001"
	}
	if spec.State == "" {
		spec.State = "initializing"
	}
	if spec.NodeID == "" {
		spec.NodeID = "hva.test"
	}
	if spec.CPUCores == 0 {
		spec.CPUCores = 1
	}
	if spec.MemoryMB == 0 {
		spec.MemoryMB = 256
	}
	if spec.Hostname == "" && len(spec.ID) > 2 {
		spec.Hostname = spec.ID[2:]
	}
	created := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	inst := map[string]any{
		"id":          1,
		"uuid":        spec.ID,
		"account_id":  "a-shpoolxx",
		"state":       hva.Symbol(spec.State),
		"status":      hva.Symbol("online"),
		"hostname":    spec.Hostname,
		"cpu_cores":   spec.CPUCores,
		"memory_size": spec.MemoryMB,
		"user_data":   spec.UserData,
		"hypervisor":  "esxi",
		"created_at":  created,
		"request_params": map[string]any{
			"instance_spec_id": "is-small",
		},
		"host_node": map[string]any{
			"uuid":       "hn-" + strings.TrimPrefix(strings.TrimPrefix(spec.NodeID, "hva."), "hva-"),
			"node_id":    spec.NodeID,
			"hypervisor": "esxi",
			"arch":       "x86_64",
			"status":     "online",
		},
		"image": map[string]any{
			"uuid":                "wmi-test",
			"arch":                "x86_64",
			"boot_dev_type":       2,
			"instance_model_name": "esxi.small",
			"backup_object_id":    "bo-test",
			"os_type":             "linux",
			"is_cacheable":        true,
			"backup_object": map[string]any{
				"uuid":       "bo-test",
				"object_key": "test-flat.vmdk",
				"size":       spec.ImageSize,
				"checksum":   spec.ImageMD5,
				"uri":        spec.ImageURI,
				"backup_storage": map[string]any{
					"uuid":         "bkst-test",
					"storage_type": "webdav",
				},
			},
		},
	}
	var vifs []any
	var ips []any
	for i, mac := range spec.MACs {
		addr := fmt.Sprintf("10.0.%d.10", i)
		ips = append(ips, addr)
		vifs = append(vifs, map[string]any{
			"uuid":            fmt.Sprintf("vif-test%04d", i),
			"vif_id":          i + 1,
			"mac_addr":        mac,
			"device_index":    i,
			"host_node_id":    spec.NodeID,
			"instance_uuid":   spec.ID,
			"security_groups": []any{fmt.Sprintf("sg-test%d", i)},
			"ipv4": map[string]any{
				"address":     addr,
				"nat_address": nil,
				"network": map[string]any{
					"uuid":         fmt.Sprintf("nw-test%d", i),
					"ipv4_network": fmt.Sprintf("10.0.%d.0", i),
					"prefix":       24,
					"ipv4_gw":      fmt.Sprintf("10.0.%d.1", i),
					"dns_server":   "8.8.8.8",
					"metric":       100,
				},
			},
		})
	}
	inst["vif"] = vifs
	inst["ips"] = ips
	inst["nat_ips"] = []any{}
	vols := map[string]any{}
	for i, size := range spec.LocalVolumes {
		id := fmt.Sprintf("vol-test%04d", i)
		if i == 0 {
			inst["boot_volume_id"] = id
		}
		vols[id] = map[string]any{
			"uuid":              id,
			"state":             hva.Symbol("available"),
			"size":              size,
			"volume_type":       "Dcmgr::Models::LocalVolume",
			"is_local_volume":   true,
			"guest_device_name": fmt.Sprintf("sd%c", 'a'+i),
			"instance_id":       spec.ID,
		}
	}
	inst["volume"] = vols
	if spec.SSHKey != "" {
		inst["ssh_key_data"] = map[string]any{
			"uuid":       "ssh-test",
			"public_key": spec.SSHKey,
		}
	}
	return inst
}
