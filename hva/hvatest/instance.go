package hvatest

import (
	"fmt"
	"hash/fnv"
	"strings"
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

// RowID is the integer primary key NewInstance gives the row whose uuid
// is uuid (a stable hash of it): Wakame's foreign keys (a volume's
// instance_id, a vif's instance_id) hold it, not the uuid.
func RowID(uuid string) int64 {
	h := fnv.New32a()
	h.Write([]byte(uuid))
	return int64(h.Sum32()&0x3fffffff) + 1
}

// labels is Plugins::ResourceLabel#to_hash's :labels for a resource.
func labels(uuid string) []any {
	return []any{Row("resource_labels", map[string]any{"id": RowID("label:" + uuid), "resource_uuid": uuid,
		"name": "monitoring.enabled", "string_value": "true"})}
}

// NewInstance returns the hash hva-collector's get_instance gives for
// spec, in the shape of current Wakame's Instance#to_hash, every row
// built from Schema: integer foreign keys, String states, Time stamps,
// labels on every labelled row.
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
	instID := RowID(spec.ID)
	hnUUID := "hn-" + strings.TrimPrefix(strings.TrimPrefix(spec.NodeID, "hva."), "hva-")
	hn := Row("host_nodes", map[string]any{"id": RowID(hnUUID), "uuid": hnUUID, "node_id": spec.NodeID, "display_name": spec.NodeID})
	bo := NewBackupObject("bo-test", "test-flat.vmdk", spec.ImageSize, spec.ImageMD5)
	bo["uri"] = spec.ImageURI // Instance#to_hash adds the uri
	img := Row("images", map[string]any{"id": RowID("wmi-test"), "uuid": "wmi-test", "instance_model_name": "esxi.small",
		"display_name": "test image", "backup_object_id": "bo-test", "labels": labels("wmi-test")})
	img["backup_object"] = bo
	inst := Row("instances", map[string]any{
		"id": instID, "uuid": spec.ID, "host_node_id": hn["id"], "image_id": img["id"],
		"state": spec.State, "status": "online", "hostname": spec.Hostname,
		"cpu_cores": int64(spec.CPUCores), "memory_size": int64(spec.MemoryMB), "user_data": spec.UserData,
		"request_params": map[string]any{"image_id": "wmi-test", "instance_spec_id": "is-small", "hostname": spec.Hostname},
		"display_name":   spec.Hostname, "labels": labels(spec.ID),
	})
	inst["image"] = img
	inst["host_node"] = hn
	var nics, vifs, ips []any
	for i, mac := range spec.MACs {
		nic := NewNIC(fmt.Sprintf("vif-test%04d", i), mac, i, spec.ID, spec.NodeID)
		nics = append(nics, nic)
		addr := nic["address"]
		ips = append(ips, addr)
		vif := Row("network_vifs", nil)
		for k, v := range nic {
			vif[k] = v
		}
		vif["network"] = newNetwork(i)
		vif["security_groups"] = []any{fmt.Sprintf("sg-test%d", i)}
		vif["vif_id"] = nic["uuid"] // Instance#to_hash: the canonical uuid
		vif["ipv4"] = map[string]any{"network": newNetwork(i), "address": addr, "nat_network": nil, "nat_address": nil}
		vifs = append(vifs, vif)
	}
	inst["instance_nics"] = orEmpty(nics)
	inst["vif"] = orEmpty(vifs)
	inst["ips"] = orEmpty(ips)
	inst["nat_ips"] = []any{}
	vols := map[string]any{}
	for i, size := range spec.LocalVolumes {
		id := fmt.Sprintf("vol-test%04d", i)
		if i == 0 {
			inst["boot_volume_id"] = id
		}
		vol := NewLocalVolume(id, instID, size)
		vol["guest_device_name"] = fmt.Sprintf("sd%c", 'a'+i)
		if i == 0 {
			vol["backup_object_id"] = "bo-test"
			vol["backup_object"] = NewBackupObject("bo-test", "test-flat.vmdk", spec.ImageSize, spec.ImageMD5)
		}
		vols[id] = vol
	}
	inst["volume"] = vols
	inst["ssh_key_data"] = nil
	if spec.SSHKey != "" {
		inst["ssh_key_pair_id"] = RowID("ssh-test")
		inst["ssh_key_data"] = Row("ssh_key_pairs", map[string]any{"id": RowID("ssh-test"), "uuid": "ssh-test",
			"finger_print": "00:11:22:33", "public_key": spec.SSHKey, "display_name": "test key", "labels": labels("ssh-test")})
	}
	return inst
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// newNetwork is the networks row of the i-th test network, 10.0.<i>.0/24.
func newNetwork(i int) map[string]any {
	uuid := fmt.Sprintf("nw-test%d", i)
	id := RowID(uuid)
	return Row("networks", map[string]any{"id": id, "uuid": uuid, "ipv4_network": fmt.Sprintf("10.0.%d.0", i),
		"ipv4_gw": fmt.Sprintf("10.0.%d.1", i), "dns_server": "8.8.8.8", "dhcp_server": fmt.Sprintf("10.0.%d.2", i),
		"metadata_server": fmt.Sprintf("10.0.%d.3", i), "metadata_server_port": int64(80), "domain_name": "vdc.test",
		"dc_network_id": int64(1), "display_name": uuid, "bandwidth_mark": id})
}

// NewNIC returns what hva-collector's get_nic gives for a vif
// (NetworkVif#to_hash) of instance instUUID on node nodeID, on the
// index-th test network with address 10.0.<index>.10.
func NewNIC(uuid, mac string, index int, instUUID, nodeID string) map[string]any {
	nw := newNetwork(index)
	return Row("network_vifs", map[string]any{
		"id": RowID(uuid), "uuid": uuid, "instance_id": RowID(instUUID), "network_id": nw["id"],
		"mac_addr": mac, "device_index": int64(index), "address": fmt.Sprintf("10.0.%d.10", index),
		"instance_uuid": instUUID, "host_node_id": nodeID, "network": nw,
		"security_groups": []any{fmt.Sprintf("sg-test%d", index)},
	})
}

// NewBackupObject returns a backup_objects row with its backup_storage,
// as BackupObject#to_hash gives it (get_backup_object adds the uri).
func NewBackupObject(uuid, objectKey string, size int64, checksum string) map[string]any {
	st := Row("backup_storages", map[string]any{"id": RowID("bkst-test"), "uuid": "bkst-test",
		"display_name": "test storage", "base_uri": "http://backup.test/images/"})
	return Row("backup_objects", map[string]any{"id": RowID(uuid), "uuid": uuid, "display_name": objectKey,
		"backup_storage_id": st["id"], "size": size, "allocation_size": size, "object_key": objectKey,
		"checksum": checksum, "progress": 100.0, "labels": labels(uuid), "backup_storage": st})
}

// NewLocalVolume returns a local volume as get_volume gives it
// (Volume#to_hash with its local_volumes row as volume_device), state
// "available", attached to the instance whose row id is instID (RowID
// of its uuid; 0 for none).
func NewLocalVolume(uuid string, instID int64, size int64) map[string]any {
	id := RowID(uuid)
	vol := Row("volumes", map[string]any{"id": id, "uuid": uuid, "state": "available", "size": size,
		"display_name": uuid, "volume_type": "Dcmgr::Models::LocalVolume", "is_local_volume": true,
		"labels":        labels(uuid),
		"volume_device": Row("local_volumes", map[string]any{"id": id, "instance_id": instID, "path": uuid})})
	if instID != 0 {
		vol["instance_id"] = instID
	}
	return vol
}
