package rubymarshal

import (
	"fmt"
	"time"
)

// expectedInstance is the Go value testdata/golden/instance.bin (a
// realistic get_instance reply made by testdata/golden.rb) decodes to.
func expectedInstance() *Hash {
	created := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	updated := time.Date(2026, 11, 26, 10, 5, 30, 123456000, time.UTC)
	network := H(
		sym("id"), int64(1), sym("uuid"), "nw-demo1", sym("ipv4_network"), "10.0.0.0", sym("prefix"), int64(24),
		sym("ipv4_gw"), "10.0.0.1", sym("dns_server"), "8.8.8.8", sym("dhcp_server"), "10.0.0.2",
		sym("metadata_server"), "10.0.0.3", sym("metadata_server_port"), int64(9002),
		sym("domain_name"), "vdc.local", sym("metric"), int64(100), sym("network_mode"), "securitygroup",
		sym("bandwidth"), 100.0, sym("bandwidth_mark"), int64(1), sym("description"), "",
		sym("created_at"), created, sym("updated_at"), created,
	)
	var vifs, nics []any
	for i := 0; i < 2; i++ {
		common := []any{
			sym("id"), int64(10 + i), sym("uuid"), fmt.Sprintf("vif-demo%d", i), sym("mac_addr"), fmt.Sprintf("525400abcde%d", i),
			sym("device_index"), int64(i), sym("network_id"), int64(1), sym("nat_network_id"), nil,
			sym("address"), fmt.Sprintf("10.0.0.%d", 10+i), sym("nat_ip_lease"), nil,
			sym("instance_uuid"), "i-demo0001", sym("host_node_id"), "hva.esxi1",
			sym("network"), network, sym("security_groups"), A("sg-demo1"),
			sym("network_vif_monitors"), A(),
		}
		vif := append(append([]any{}, common...),
			sym("vif_id"), fmt.Sprintf("vif-demo%d", i),
			sym("ipv4"), H(sym("network"), network, sym("address"), fmt.Sprintf("10.0.0.%d", 10+i),
				sym("nat_network"), nil, sym("nat_address"), nil),
			sym("created_at"), created, sym("updated_at"), updated)
		nic := append(append([]any{}, common...), sym("created_at"), created, sym("updated_at"), updated)
		vifs = append(vifs, H(vif...))
		nics = append(nics, H(nic...))
	}
	backupObject := H(
		sym("id"), int64(1), sym("uuid"), "bo-centos1", sym("account_id"), "a-shpoolxx", sym("backup_storage_id"), int64(1),
		sym("size"), int64(10<<30), sym("allocation_size"), int64(3<<30), sym("container_format"), "tgz",
		sym("checksum"), EncString{S: "9a0364b9e99bb480dd25e1f0284c8555", Encoding: "US-ASCII"},
		sym("progress"), 100.0, sym("state"), "available", sym("labels"), A(),
		sym("backup_storage"), H(sym("id"), int64(1), sym("uuid"), "bkst-local", sym("base_uri"), "file:///var/lib/wakame/backups/",
			sym("storage_type"), "local", sym("node_id"), nil, sym("description"), "local"),
		sym("uri"), "file:///var/lib/wakame/backups/bo-centos1.tgz",
		sym("created_at"), created, sym("updated_at"), created, sym("deleted_at"), nil,
	)
	volumes := H()
	for i := 0; i < 2; i++ {
		var bo any
		if i == 0 {
			bo = "bo-centos1"
		}
		volumes.Pairs = append(volumes.Pairs, Pair{Key: fmt.Sprintf("vol-demo%d", i), Value: H(
			sym("id"), int64(20+i), sym("uuid"), fmt.Sprintf("vol-demo%d", i), sym("account_id"), "a-shpoolxx", sym("state"), "attached",
			sym("size"), int64(i+1)*10<<30, sym("guest_device_name"), nil,
			sym("volume_type"), "Dcmgr::Models::LocalVolume", sym("backup_object_id"), bo,
			sym("instance_id"), int64(1), sym("labels"), A(), sym("is_local_volume"), true,
			sym("volume_device"), H(sym("id"), int64(20+i), sym("instance_id"), int64(1), sym("mount_label"), "instance", sym("path"), fmt.Sprintf("vol-demo%d.raw", i)),
			sym("created_at"), created, sym("updated_at"), updated, sym("attached_at"), updated, sym("deleted_at"), nil,
		)})
	}
	return H(
		sym("id"), int64(1), sym("account_id"), "a-shpoolxx", sym("uuid"), "i-demo0001", sym("host_node_id"), int64(1),
		sym("image_id"), int64(1), sym("state"), sym("running"), sym("status"), sym("online"), sym("hostname"), "demo0001",
		sym("ssh_key_pair_id"), nil, sym("ha_enabled"), int64(0), sym("quota_weight"), 1.0, sym("cpu_cores"), int64(2),
		sym("memory_size"), int64(2048), sym("user_data"), "", sym("service_type"), "std",
		sym("display_name"), "demo", sym("hypervisor"), "esxi",
		sym("runtime_config"), H(), sym("request_params"), H("hostname", "demo0001", "cpu_cores", int64(2)),
		sym("terminated_at"), nil, sym("created_at"), created, sym("updated_at"), updated,
		sym("password_will_be_deleted_at"), nil, sym("boot_volume_id"), "vol-demo0",
		sym("encrypted_password"), "", sym("labels"), A(),
		sym("image"), H(
			sym("id"), int64(1), sym("uuid"), "wmi-centos1", sym("boot_dev_type"), int64(2), sym("arch"), "x86_64",
			sym("file_format"), "raw", sym("root_device"), "label:root", sym("is_public"), true,
			sym("is_cacheable"), false, sym("os_type"), "linux", sym("instance_model_name"), nil,
			sym("backup_object_id"), "bo-centos1", sym("state"), "available",
			sym("features"), H(sym("virtio"), true), sym("volumes"), A(), sym("vifs"), A(), sym("labels"), A(),
			sym("backup_object"), backupObject,
		),
		sym("host_node"), H(
			sym("id"), int64(1), sym("uuid"), "hn-esxi1", sym("node_id"), "hva.esxi1", sym("hypervisor"), "esxi",
			sym("arch"), "x86_64", sym("offering_cpu_cores"), int64(16), sym("offering_memory_size"), int64(65536),
			sym("offering_disk_space_mb"), int64(2*1024*1024), sym("scheduling_enabled"), true,
			sym("display_name"), "esxi1", sym("status"), "online",
		),
		sym("instance_nics"), nics,
		sym("ips"), A("10.0.0.10", "10.0.0.11"), sym("nat_ips"), A(),
		sym("vif"), vifs, sym("volume"), volumes,
		sym("ssh_key_data"), nil,
	)
}
