-- dcmgr tables the registry package touches, as dcmgr's migrations leave
-- them at HEAD (0001_v1110_origin, 0002_v1203, 0005, 0015, 0016, 0019-0021),
-- and Isono's node_states. Test fixture only: written from
-- /work/shared/reference/wakame-registry.md section 4.
CREATE TABLE host_nodes (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid varchar(255) NOT NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  node_id varchar(255) NULL,
  arch varchar(255) NOT NULL,
  hypervisor varchar(255) NOT NULL,
  display_name varchar(255) NULL,
  offering_cpu_cores int(11) NOT NULL,
  offering_memory_size int(11) NOT NULL,
  offering_disk_space_mb int(11) NOT NULL DEFAULT 0,
  scheduling_enabled tinyint(1) NOT NULL DEFAULT 1,
  KEY node_id (node_id),
  UNIQUE KEY uuid (uuid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE node_states (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  node_id varchar(80) NOT NULL,
  boot_token varchar(10) NOT NULL,
  state varchar(10) NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  last_ping_at datetime NOT NULL,
  UNIQUE KEY node_id (node_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE backup_storages (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uuid varchar(255) NOT NULL,
  display_name varchar(255) NOT NULL,
  storage_type varchar(255) NOT NULL,
  description text,
  base_uri varchar(255) NOT NULL,
  deleted_at datetime NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  node_id varchar(255) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE backup_objects (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id varchar(255) NOT NULL,
  uuid varchar(255) NOT NULL,
  display_name varchar(255) NOT NULL,
  service_type varchar(255) NOT NULL,
  backup_storage_id int(11) NOT NULL,
  size bigint NOT NULL,
  allocation_size bigint NOT NULL,
  container_format varchar(255) NOT NULL,
  status int(11) NOT NULL DEFAULT 0,
  state varchar(255) NOT NULL DEFAULT 'initialized',
  object_key varchar(255) NOT NULL,
  checksum varchar(255) NOT NULL,
  description text,
  progress double NOT NULL DEFAULT 0,
  deleted_at datetime NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  purged_at datetime NULL,
  source_volume_id varchar(255) NOT NULL,
  UNIQUE KEY uuid (uuid),
  KEY account_id (account_id),
  KEY deleted_at (deleted_at),
  KEY backup_storage_id (backup_storage_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE images (
  id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id varchar(255) NOT NULL,
  uuid varchar(255) NOT NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  boot_dev_type int(11) NOT NULL DEFAULT 1,
  arch varchar(255) NOT NULL,
  description text,
  is_public tinyint(1) NOT NULL DEFAULT 0,
  state varchar(255) NOT NULL DEFAULT 'init',
  features text,
  backup_object_id varchar(255) NULL,
  deleted_at datetime NULL,
  file_format varchar(255) NOT NULL,
  root_device varchar(255) NULL,
  is_cacheable tinyint(1) NOT NULL DEFAULT 0,
  instance_model_name varchar(255) NOT NULL,
  parent_image_id varchar(255) NULL,
  service_type varchar(255) NOT NULL,
  display_name varchar(255) NOT NULL,
  volumes text NOT NULL,
  vifs text NOT NULL,
  os_type varchar(255) NOT NULL DEFAULT 'linux',
  KEY account_id (account_id),
  KEY is_public (is_public),
  UNIQUE KEY uuid (uuid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
