package hvaconf

import (
	"maps"
	"slices"
)

// Keys esxi-hva reads from hva.conf. The esxi_* keys, vm_data_dir and
// edge_networking are Wakame's; the others are esxi-hva's own.
const (
	KeyESXiHost            = "esxi_ipaddress"
	KeyESXiDatacenter      = "esxi_datacenter"
	KeyESXiDatastore       = "esxi_datastore"
	KeyESXiUsername        = "esxi_username"
	KeyESXiPassword        = "esxi_password"
	KeyESXiInsecure        = "esxi_insecure"
	KeyESXiThumbprint      = "esxi_thumbprint"
	KeyESXiPortGroup       = "esxi_portgroup"
	KeyESXiHostSystem      = "esxi_host_system"
	KeyESXiResourcePool    = "esxi_resource_pool"
	KeyESXiVMFolder        = "esxi_vm_folder"
	KeyVMDataDir           = "vm_data_dir"
	KeyEdgeNetworking      = "edge_networking"
	KeyImageCacheBudget    = "image_cache_budget"
	KeyUseLinkedClone      = "use_linked_clone"
	KeyConcurrency         = "concurrency"
	KeySoftPowerOffTimeout = "soft_poweroff_timeout"
	KeyMetadataItems       = "metadata_items"
	KeyJobDeadlineLaunch   = "job_deadline_launch"
	KeyJobDeadlineBackup   = "job_deadline_backup"
	KeyJobDeadlineOther    = "job_deadline_other"
	KeyJobDeadlineCleanup  = "job_deadline_cleanup"
	KeyTransferStall       = "transfer_stall_timeout"
)

// usedKeys are the settings Config reads (Config.settings).
var usedKeys = func() map[string]bool {
	set := map[string]bool{}
	for _, st := range new(Config).settings() {
		set[st.key] = true
	}
	return set
}()

// wakameKeys are the other top-level settings of Wakame's hva.conf
// (dcmgr/lib/dcmgr/configurations/hva.rb and the OvsOfctl settings it
// forwards). They configure the Linux hypervisors' networking, logging and
// monitoring, which esxi-hva has no use for, so Parse accepts them silently:
// an operator's existing file must not drown its real problems in warnings.
var wakameKeys = map[string]bool{
	"enable_iptables": true, "enable_ebtables": true, "hv_ifindex": true,
	"bridge_novlan": true, "verbose_netfilter": true, "verbose_netfilter_cache": true,
	"packet_drop_log": true, "debug_iptables": true, "use_ipset": true,
	"use_logging_service": true, "logging_service_host_ip": true,
	"logging_service_ip": true, "logging_service_port": true,
	"logging_service_conf": true, "logging_service_reload": true,
	"logging_service_max_read_message_bytes": true,
	"logging_service_max_match_count":        true, "enable_gre": true,
	"enable_subnet": true, "netfilter_script_post_flush": true,
	"brctl_path": true, "vsctl_path": true, "ovs_run_dir": true,
	"trema_dir": true, "trema_tmp": true, "netfilter_hook_script_path": true,
	"script_root_path": true, "enable_instance_state_recovery": true,
	"wait_sec_until_force_terminate_from_shuttingdown": true,
	"dolphin_server_uri": true, "lxc_log_level": true, "lxc_ovs_ifdown": true,
	"ovs_ofctl_path": true, "ovs_vsctl_path": true, "verbose_openflow": true,
}

// wakameBlocks are the block sections of Wakame's hva.conf; Parse skips
// them (with a warning) whatever their name.
var wakameBlocks = map[string]bool{
	"dc_network": true, "local_store": true, "windows": true,
	"backup_storage": true, "capture": true, "metadata": true,
	"hypervisor_driver": true, "features": true,
}

// KnownKeys returns the settings esxi-hva reads, sorted.
func KnownKeys() []string { return slices.Sorted(maps.Keys(usedKeys)) }

// IsWakameKey reports whether name is a setting of Wakame's hva.conf that
// esxi-hva accepts but does not use.
func IsWakameKey(name string) bool { return wakameKeys[name] }

// suggest returns the used or Wakame key closest to name when it is a
// likely typo (edit distance at most 2), or "".
func suggest(name string) string {
	best, bestD := "", 3
	try := func(k string) {
		if d := editDistance(name, k, 3); d < bestD || (d == bestD && d < 3 && k < best) {
			best, bestD = k, d
		}
	}
	for k := range usedKeys {
		try(k)
	}
	for k := range wakameKeys {
		try(k)
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit (so long inputs cost little).
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	if len(a) > 64 || len(b) > 64 {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
