# Builds the collector answers a real Wakame-vdc sends an HVA and writes
# them with Ruby's own Marshal.dump, as Isono puts them on AMQP.
#
# Regenerate (from the repository root; writes next to this script):
#
#   ruby hva/testdata/wakame/make_fixtures.rb [OUTPUT_DIR]
#
# and commit the .marshal files (hva's TestFixturesRegenerate checks the
# checked-in ones are what this script writes).
#
# Each hash is built column by column from Wakame's migrations
# (dcmgr/config/db/migrations/00NN_*.rb) and the models' to_hash methods
# (dcmgr/lib/dcmgr/models/*.rb), as Sequel's mysql2 adapter reads the
# columns: int(11)/bigint -> Integer (foreign keys and ids included),
# varchar -> String, text -> String ("" for NULL: Taggable#to_hash calls
# .to_s on text columns), datetime -> Time (UTC,
# config/initializers/sequel.rb), tinyint(1) -> true/false, double/float
# -> Float, serialize_attributes :yaml columns -> Hash. Shared objects are
# shared as in Wakame (to_hash is values.dup of cached models), so the
# dump has object links where Wakame's would.
#
# The output is deterministic: rerunning the script gives the same bytes.

T_CREATED = Time.utc(2026, 11, 20, 8, 15, 30)
T_UPDATED = Time.utc(2026, 11, 26, 9, 30, 1)

def label(id, uuid, name, value)
  # 0008_add_resource_label.rb; ResourceLabel is a BaseNew: values.dup.
  { id: id, resource_uuid: uuid, name: name, value_type: 1, string_value: value,
    blob_value: nil, created_at: T_CREATED, updated_at: T_UPDATED }
end

# Plugins::ResourceLabel#to_hash (base_new.rb): Taggable#to_hash + labels.
def labels_for(uuid)
  [label(1, uuid, 'monitoring.enabled', 'true')]
end

# host_nodes: 0001 create, 0002 drop account_id / rename name to
# display_name, 0016 offering_disk_space_mb, 0019/0021
# scheduling_enabled; HostNode#to_hash adds :status.
def host_node
  { id: 3, uuid: 'hn-esxi1', created_at: T_CREATED, updated_at: T_UPDATED,
    node_id: 'hva.esxi1', arch: 'x86_64', hypervisor: 'esxi', display_name: 'esxi1',
    offering_cpu_cores: 16, offering_memory_size: 32768,
    offering_disk_space_mb: 512000, scheduling_enabled: true,
    status: 'online' }
end

# backup_storages: 0002 create, 0005 node_id. No label plugin.
def backup_storage
  { id: 1, uuid: 'bkst-local', display_name: 'local images', storage_type: 'webdav',
    description: '', base_uri: 'http://192.168.2.1:8080/images/',
    deleted_at: nil, created_at: T_CREATED, updated_at: T_UPDATED, node_id: nil }
end

# backup_objects: 0002 create, 0015 source_volume_id; labels; to_hash
# adds :backup_storage.
def backup_object(uuid, key, size, checksum)
  { id: 7, account_id: 'a-shpoolxx', uuid: uuid, display_name: 'ubuntu-lucid-esxi',
    service_type: 'std', backup_storage_id: 1, size: size, allocation_size: size,
    container_format: 'none', status: 0, state: 'available', object_key: key,
    checksum: checksum, description: '', progress: 100.0, deleted_at: nil,
    created_at: T_CREATED, updated_at: T_UPDATED, purged_at: nil,
    source_volume_id: '', labels: labels_for(uuid), backup_storage: backup_storage }
end

# networks: 0001 create, 0002 (gateway_network_id, network_mode,
# dc_network_id, bandwidth float, ip_assignment, editable, service_type,
# display_name); Network#to_hash adds bandwidth_mark, description,
# network_services.
def network(id, uuid, net)
  { id: id, account_id: 'a-shpoolxx', uuid: uuid, ipv4_network: "#{net}.0",
    ipv4_gw: "#{net}.1", prefix: 24, metric: 100, domain_name: 'vdc.local',
    dns_server: '8.8.8.8', dhcp_server: "#{net}.2", metadata_server: "#{net}.3",
    metadata_server_port: 80, nat_network_id: nil, dc_network_id: 1,
    description: '', created_at: T_CREATED, updated_at: T_UPDATED,
    gateway_network_id: nil, network_mode: 'passthrough', bandwidth: nil,
    ip_assignment: 'asc', editable: false, service_type: 'std',
    display_name: uuid, bandwidth_mark: id, network_services: [] }
end

# network_vifs (0001 instance_nics, renamed and given account_id in
# 0002); NetworkVif#to_hash (network_vif.rb:71-90) adds address,
# nat_ip_lease, instance_uuid, host_node_id (the node id String),
# network_id, network, security_groups, network_vif_monitors.
def vif(id, uuid, mac, index, nw, addr, inst_id, inst_uuid)
  { id: id, uuid: uuid, instance_id: inst_id, network_id: nw[:id], nat_network_id: nil,
    mac_addr: mac, device_index: index, deleted_at: nil, created_at: T_CREATED,
    updated_at: T_UPDATED, account_id: 'a-shpoolxx', address: addr, nat_ip_lease: nil,
    instance_uuid: inst_uuid, host_node_id: 'hva.esxi1', network: nw,
    security_groups: ["sg-web#{index}"], network_vif_monitors: [] }
end

# ssh_key_pairs: 0001 create, 0002 (service_type, display_name,
# deleted_at, drop private_key); labels; public_key and description are
# text columns.
def ssh_key_pair
  { id: 2, account_id: 'a-shpoolxx', uuid: 'ssh-demo', finger_print: '1f:2e:3d:4c:5b:6a:79:88:97:a6:b5:c4:d3:e2:f1:00',
    public_key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDdemo demo@wakame', description: '',
    created_at: T_CREATED, updated_at: T_UPDATED, service_type: 'std', display_name: 'demo',
    deleted_at: nil, labels: labels_for('ssh-demo') }
end

# volumes: 0001 create, 0002 (service_type, display_name,
# backup_object_id, size bigint), 0014 (volume_type, dropped columns);
# labels; Volume#to_hash adds is_local_volume and volume_device (the
# local_volumes row of 0014).
def volume(inst_id, bo)
  v = { id: 11, account_id: 'a-shpoolxx', uuid: 'vol-boot0001', status: 'online',
        state: 'available', size: 10 * 1024 * 1024 * 1024, instance_id: inst_id,
        guest_device_name: 'sda', request_params: {}, deleted_at: nil,
        attached_at: nil, detached_at: nil, created_at: T_CREATED, updated_at: T_UPDATED,
        service_type: 'std', display_name: 'boot volume', backup_object_id: bo[:uuid],
        volume_type: 'Dcmgr::Models::LocalVolume' }
  v[:labels] = labels_for(v[:uuid])
  v[:is_local_volume] = true
  v[:volume_device] = { id: 11, instance_id: inst_id, mount_label: 'instance', path: 'vol-boot0001' }
  v
end

# images: 0001 create, 0002 (file_format, root_device, is_cacheable,
# instance_model_name, parent_image_id, service_type, display_name,
# backup_object_id, deleted_at, drop source and md5sum), 0015 (volumes,
# vifs), 0020 os_type; features/volumes/vifs are YAML-serialized;
# labels.
def image(bo)
  { id: 5, account_id: 'a-shpoolxx', uuid: 'wmi-lucid', created_at: T_CREATED,
    updated_at: T_UPDATED, boot_dev_type: 2, arch: 'x86_64', description: '',
    is_public: true, state: 'available', features: {}, file_format: 'vmdk',
    root_device: nil, is_cacheable: true, instance_model_name: 'esxi.small',
    parent_image_id: nil, service_type: 'std', display_name: 'ubuntu-lucid-esxi',
    backup_object_id: bo[:uuid], deleted_at: nil, volumes: {}, vifs: {},
    os_type: 'linux', labels: labels_for('wmi-lucid') }
end

# Instance#to_hash (instance.rb:178-230) of today's Wakame (HEAD).
def current_instance
  id = 42
  uuid = 'i-lucid001'
  bo = backup_object('bo-lucid', 'ubuntu-lucid-esxi-flat.vmdk', 64 * 1024 * 1024 * 1024, '293bec7563280fe2934a3611a3e1dab2')
  nw0 = network(1, 'nw-demo1', '10.0.0')
  nw1 = network(2, 'nw-demo2', '10.0.1')
  vifs = [vif(21, 'vif-demo0001', '525400a1b2c3', 0, nw0, '10.0.0.10', id, uuid),
          vif(22, 'vif-demo0002', '525400d4e5f6', 1, nw1, '10.0.1.10', id, uuid)]
  # instances: 0001 create; 0002 (service_type, display_name, hypervisor,
  # drop instance_spec_id and ssh_key_data, ssh_key_pair_id int(11));
  # 0014 boot_volume_id; 0020/0022 encrypted_password (text);
  # 0023 password_will_be_deleted_at. runtime_config and request_params
  # are YAML-serialized (request_params with String keys).
  h = { id: id, account_id: 'a-shpoolxx', uuid: uuid, host_node_id: 3, image_id: 5,
        state: 'initializing', status: 'online', hostname: 'lucid001', ssh_key_pair_id: 2,
        ha_enabled: 0, quota_weight: 1.0, cpu_cores: 2, memory_size: 1024,
        user_data: "#!/bin/sh\necho hello\n", runtime_config: {},
        request_params: { 'image_id' => 'wmi-lucid', 'instance_spec_id' => 'is-small', 'hostname' => 'lucid001' },
        terminated_at: nil, created_at: T_CREATED, updated_at: T_UPDATED,
        service_type: 'std', display_name: 'lucid', hypervisor: 'esxi',
        boot_volume_id: 'vol-boot0001', encrypted_password: '', password_will_be_deleted_at: nil }
  h[:labels] = labels_for(uuid)
  img = image(bo)
  # Instance#to_hash: image.backup_object with its backup_storage and uri.
  img[:backup_object] = bo.dup
  img[:backup_object][:backup_storage] = bo[:backup_storage].dup
  img[:backup_object][:uri] = bo[:backup_storage][:base_uri] + bo[:object_key]
  h[:image] = img
  h[:host_node] = host_node
  h[:instance_nics] = vifs
  h[:ips] = vifs.map { |v| v[:address] }
  h[:nat_ips] = []
  # :vif entries are the same cached models hashed again, plus vif_id
  # (the canonical uuid String) and ipv4 (only with a lease).
  h[:vif] = vifs.map do |v|
    v.dup.merge(network: v[:network].dup, security_groups: v[:security_groups].dup,
                network_vif_monitors: [], vif_id: v[:uuid],
                ipv4: { network: v[:network].dup, address: v[:address], nat_network: nil, nat_address: nil })
  end
  vol = volume(id, bo)
  vol[:backup_object] = bo.dup
  h[:volume] = { vol[:uuid] => vol }
  h[:ssh_key_data] = ssh_key_pair
  h
end

# Instance#to_hash of Wakame 11.12 (the 2012 shape the seed's guide was
# written against): instance_nics rows, the image's YAML source hash and
# md5sum, ssh_key_data the YAML copy of the key pair, user_data a Blob.
def instance_2012
  nw = { id: 1, account_id: 'a-shpoolxx', uuid: 'nw-demo1', ipv4_network: '192.168.2.0',
         ipv4_gw: '192.168.2.1', prefix: 24, metric: 100, domain_name: 'vdc.local',
         dns_server: '192.168.2.1', dhcp_server: '192.168.2.1', metadata_server: '192.168.2.1',
         metadata_server_port: 9002, bandwidth: nil, vlan_lease_id: 0, nat_network_id: nil,
         physical_network_id: 1, link_interface: 'br0', description: '',
         created_at: T_CREATED, updated_at: T_UPDATED }
  nic = { id: 9, uuid: 'vif-old00001', instance_id: 4, network_id: 1, nat_network_id: nil,
          mac_addr: '525400102030', device_index: 0, deleted_at: nil,
          created_at: T_CREATED, updated_at: T_UPDATED }
  img = { id: 1, account_id: 'a-shpoolxx', uuid: 'wmi-lucid5', created_at: T_CREATED,
          updated_at: T_UPDATED, boot_dev_type: 2,
          source: { uri: 'http://192.168.2.1/images/ubuntu-lucid-kvm-md-32-flat.vmdk', type: :http },
          arch: 'x86', description: '', md5sum: '293bec7563280fe2934a3611a3e1dab2',
          is_public: false, state: 'init', features: {} }
  { id: 4, account_id: 'a-shpoolxx', uuid: 'i-old00001', host_node_id: 1, image_id: 1,
    instance_spec_id: 1, state: 'initializing', status: 'init', hostname: 'old00001',
    ssh_key_pair_id: 'ssh-demo', ha_enabled: 0, quota_weight: 1.0, cpu_cores: 1,
    memory_size: 512, user_data: ''.b, runtime_config: { vnc_port: 1001, telnet_port: 1002 },
    ssh_key_data: { uuid: 'ssh-demo', public_key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDold old@wakame',
                    finger_print: '00:11:22' },
    request_params: { 'image_id' => 'wmi-lucid5', 'instance_spec_id' => 'is-demospec' },
    terminated_at: nil, created_at: T_CREATED, updated_at: T_UPDATED,
    image: img,
    host_node: { id: 1, account_id: 'a-shpoolxx', uuid: 'hn-demo1', created_at: T_CREATED,
                 updated_at: T_UPDATED, node_id: 'hva.demo1', arch: 'x86', hypervisor: 'esxi',
                 name: nil, offering_cpu_cores: 4, offering_memory_size: 8192, status: 'online' },
    instance_nics: [nic],
    ips: ['192.168.2.10'], nat_ips: [], security_groups: ['sg-demofgr'],
    vif: [nic.dup.merge(vif_id: 'vif-old00001',
                        ipv4: { network: nw, address: '192.168.2.10', nat_network: nil, nat_address: nil })],
    instance_spec: { id: 1, account_id: 'a-shpoolxx', uuid: 'is-demospec', hypervisor: 'esxi',
                     arch: 'x86', cpu_cores: 1, memory_size: 512, weight: 1, config: '' },
    volume: {} }
end

# sta-collector get_volume (sta_collector.rb:34-38): Volume#to_hash plus
# volume_device and source_backup_object.
def get_volume
  bo = backup_object('bo-lucid', 'ubuntu-lucid-esxi-flat.vmdk', 64 * 1024 * 1024 * 1024, '293bec7563280fe2934a3611a3e1dab2')
  v = volume(42, bo)
  v[:state] = 'attached'
  v[:attached_at] = T_UPDATED
  v[:source_backup_object] = bo
  v
end

# sta-collector get_backup_object (sta_collector.rb:45-51): the row with
# its backup_storage and uri.
def get_backup_object
  bo = backup_object('bo-snap0001', 'snap/i-lucid001-flat.vmdk', 10 * 1024 * 1024 * 1024, '')
  bo[:state] = 'pending'
  bo[:progress] = 0.0
  bo[:uri] = bo[:backup_storage][:base_uri] + bo[:object_key]
  bo
end

# hva-collector get_nic (hva_collector.rb:96-100): NetworkVif#to_hash.
def get_nic
  vif(21, 'vif-demo0001', '525400a1b2c3', 0, network(1, 'nw-demo1', '10.0.0'), '10.0.0.10', 42, 'i-lucid001')
end

# hva-collector get_instance_monitor_data (hva_collector.rb:188-202).
def monitor_data
  [{ uuid: 'i-lucid001', hypervisor: 'esxi', status: 'online', state: 'running',
     created_at: T_CREATED, updated_at: T_UPDATED }]
end

dir = ARGV[0] || File.dirname(File.expand_path(__FILE__))
{
  'get_instance' => current_instance,
  'get_instance_2012' => instance_2012,
  'get_volume' => get_volume,
  'get_backup_object' => get_backup_object,
  'get_nic' => get_nic,
  'get_instance_monitor_data' => monitor_data,
}.each do |name, value|
  File.binwrite(File.join(dir, "#{name}.marshal"), Marshal.dump(value))
end
