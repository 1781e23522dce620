# Writes testdata/golden/<name>.bin: Marshal.dump of each value below, as
# produced by real Ruby. Run from the package directory:
#
#   ruby testdata/golden.rb [output-dir]
#
# golden_test.go holds the Go value each file must decode to. Times are
# fixed, so the output is deterministic for a given Ruby version.
dir = ARGV[0] || File.join(__dir__, "golden")
Dir.mkdir(dir) unless Dir.exist?(dir)

created = Time.utc(2026, 11, 26, 10, 0, 0)
updated = Time.utc(2026, 11, 26, 10, 5, 30, 123456)

network = {
  id: 1, uuid: "nw-demo1", ipv4_network: "10.0.0.0", prefix: 24,
  ipv4_gw: "10.0.0.1", dns_server: "8.8.8.8", dhcp_server: "10.0.0.2",
  metadata_server: "10.0.0.3", metadata_server_port: 9002,
  domain_name: "vdc.local", metric: 100, network_mode: "securitygroup",
  bandwidth: 100.0, bandwidth_mark: 1, description: "",
  created_at: created, updated_at: created,
}
host_node_id = "hva.esxi1"
vifs = (0..1).map do |i|
  {
    id: 10 + i, uuid: "vif-demo#{i}", mac_addr: "525400abcde#{i}",
    device_index: i, network_id: 1, nat_network_id: nil,
    address: "10.0.0.#{10 + i}", nat_ip_lease: nil,
    instance_uuid: "i-demo0001", host_node_id: host_node_id,
    network: network, security_groups: ["sg-demo1"],
    network_vif_monitors: [], vif_id: "vif-demo#{i}",
    ipv4: { network: network, address: "10.0.0.#{10 + i}",
            nat_network: nil, nat_address: nil },
    created_at: created, updated_at: updated,
  }
end
backup_storage = { id: 1, uuid: "bkst-local", base_uri: "file:///var/lib/wakame/backups/",
                   storage_type: "local", node_id: nil, description: "local" }
backup_object = {
  id: 1, uuid: "bo-centos1", account_id: "a-shpoolxx", backup_storage_id: 1,
  size: 10 * 1024**3, allocation_size: 3 * 1024**3, container_format: "tgz",
  checksum: "9a0364b9e99bb480dd25e1f0284c8555".encode("US-ASCII"),
  progress: 100.0, state: "available", labels: [],
  backup_storage: backup_storage, uri: "file:///var/lib/wakame/backups/bo-centos1.tgz",
  created_at: created, updated_at: created, deleted_at: nil,
}
volumes = {}
(0..1).each do |i|
  volumes["vol-demo#{i}"] = {
    id: 20 + i, uuid: "vol-demo#{i}", account_id: "a-shpoolxx", state: "attached",
    size: (i + 1) * 10 * 1024**3, guest_device_name: nil,
    volume_type: "Dcmgr::Models::LocalVolume", backup_object_id: i.zero? ? "bo-centos1" : nil,
    instance_id: 1, labels: [], is_local_volume: true,
    volume_device: { id: 20 + i, instance_id: 1, mount_label: "instance", path: "vol-demo#{i}.raw" },
    created_at: created, updated_at: updated, attached_at: updated, deleted_at: nil,
  }
end
instance = {
  id: 1, account_id: "a-shpoolxx", uuid: "i-demo0001", host_node_id: 1,
  image_id: 1, state: :running, status: :online, hostname: "demo0001",
  ssh_key_pair_id: nil, ha_enabled: 0, quota_weight: 1.0, cpu_cores: 2,
  memory_size: 2048, user_data: "", service_type: "std",
  display_name: "demo", hypervisor: "esxi",
  runtime_config: {}, request_params: { "hostname" => "demo0001", "cpu_cores" => 2 },
  terminated_at: nil, created_at: created, updated_at: updated,
  password_will_be_deleted_at: nil, boot_volume_id: "vol-demo0",
  encrypted_password: "", labels: [],
  image: {
    id: 1, uuid: "wmi-centos1", boot_dev_type: 2, arch: "x86_64",
    file_format: "raw", root_device: "label:root", is_public: true,
    is_cacheable: false, os_type: "linux", instance_model_name: nil,
    backup_object_id: "bo-centos1", state: "available",
    features: { virtio: true }, volumes: [], vifs: [], labels: [],
    backup_object: backup_object,
  },
  host_node: {
    id: 1, uuid: "hn-esxi1", node_id: host_node_id, hypervisor: "esxi",
    arch: "x86_64", offering_cpu_cores: 16, offering_memory_size: 65536,
    offering_disk_space_mb: 2 * 1024 * 1024, scheduling_enabled: true,
    display_name: "esxi1", status: "online",
  },
  instance_nics: vifs.map { |v| v.reject { |k, _| [:vif_id, :ipv4].include?(k) } },
  ips: ["10.0.0.10", "10.0.0.11"], nat_ips: [],
  vif: vifs, volume: volumes,
  ssh_key_data: nil,
}

with_default = Hash.new(0)
with_default[:a] = 1
shared = "shared"
sjis = "\x82\xa0".dup.force_encoding("Shift_JIS")

values = {
  "nil" => nil, "true" => true, "false" => false,
  "fixnums" => [0, 1, -1, 122, 123, -123, -124, 255, 256, -256, -257, 65535, 65536, -65537, 2**30 - 1, -2**30],
  "bignums" => [2**30, -2**30 - 1, 2**31, 2**32, 2**62, 2**63 - 1, -2**63, 2**64, -(2**70), 2**100 + 12345],
  "floats" => [0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 100.0, 1.0e100, 1.5e-300, 123456789012345.0, 1e16, 0.0001, 5e-324],
  "float_specials" => [Float::INFINITY, -Float::INFINITY, Float::NAN],
  "strings" => ["", "hello", "héllo ✓", "".b, "\x00\xff".b, "ascii".encode("US-ASCII"), sjis],
  "symbols" => [:a, :b, :a, :b, :"héllo", :"héllo"],
  "symlinks" => { state: :running, status: :running, prev: :state },
  "links" => [shared, shared, [shared]],
  "array_link" => (a = [1, 2]; [a, a]),
  "hash_link" => (h = { k: 1 }; [h, h]),
  "nested" => [[[]], {}, [{}]],
  "hash_mixed_keys" => { "s" => 1, s: 2, 3 => "three", nil => [] },
  "hash_default" => with_default,
  "time_utc" => Time.utc(2026, 11, 26, 10, 20, 30),
  "time_utc_usec" => Time.utc(2026, 11, 26, 10, 20, 30, 123456),
  "time_utc_nsec" => Time.at(1_700_000_000, 123_456_789, :nsec).utc,
  "time_offset" => Time.new(2026, 11, 26, 19, 20, 30, "+09:00"),
  "time_negative_offset" => Time.at(1_700_000_000, 500, :nsec).getlocal("-03:30"),
  "time_1800" => Time.utc(1800, 1, 2, 3, 4, 5),
  "time_70000" => Time.utc(70000, 1, 1),
  "time_shared" => (t = Time.utc(2026, 1, 1); [t, t]),
  "job_request" => { endpoint: "job.hva-handle.hva.esxi1", command: "terminate",
                     args: ["i-demo0001"], oneshot: false, job_id: "j-1234abcd",
                     session_id: "j-1234abcd", job_name: "terminate" },
  "reply_error" => { type: :error, msg: { message: "UnknownInstanceID: 'i-x'", error_type: "RuntimeError" } },
  "instance" => instance,
  "unsupported_struct" => Struct.new(:a).new(1).tap { |s| Object.const_set(:Foo, s.class) },
  "unsupported_object" => Object.new,
  "unsupported_regexp" => /ab+c/,
  "unsupported_class" => String,
  "unsupported_userclass" => Class.new(String).tap { |c| Object.const_set(:MyString, c) }.new("x"),
  "unsupported_rational" => Rational(1, 3),
  "recursive" => (r = []; r << r; r),
}

values.each do |name, v|
  File.binwrite(File.join(dir, "#{name}.bin"), Marshal.dump(v))
end
