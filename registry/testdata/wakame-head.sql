-- dcmgr's schema as wakame-vdc's own migrations make it: every migration (HEAD).
-- wakame-vdc commit 3cc1c0fd733e720705762a2c88fbdec63dcaf819, dcmgr/config/db/migrations,
-- Sequel migration target head: schema_info version 23.
-- Made on MariaDB 10.11.19-MariaDB-0+deb12u1 by registry/testdata/wakame/make_schemas.sh
-- (see that script to regenerate). This file is MariaDB's dump, unedited.
/*M!999999\- enable the sandbox mode */ 
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `accounting_logs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `account_id` varchar(255) NOT NULL,
  `resource_type` varchar(255) NOT NULL,
  `event_type` varchar(255) NOT NULL,
  `vchar_value` varchar(255) DEFAULT NULL,
  `int_value` bigint(20) DEFAULT NULL,
  `blob_value` blob DEFAULT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `uuid` (`uuid`),
  KEY `accounting_logs_account_id_index` (`account_id`),
  KEY `accounting_logs_resource_type_index` (`resource_type`),
  KEY `accounting_logs_event_type_index` (`event_type`),
  KEY `accounting_logs_created_at_index` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `accounts` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `description` varchar(255) DEFAULT NULL,
  `enabled` int(11) NOT NULL DEFAULT 1,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `purged_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `accounts_deleted_at_index` (`deleted_at`)
) ENGINE=InnoDB AUTO_INCREMENT=102 DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `alarms` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `account_id` varchar(255) NOT NULL,
  `resource_id` varchar(255) NOT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  `metric_name` varchar(255) NOT NULL,
  `description` text DEFAULT NULL,
  `evaluation_periods` int(11) DEFAULT NULL,
  `notification_periods` int(11) DEFAULT NULL,
  `params` text NOT NULL,
  `enabled` tinyint(1) NOT NULL DEFAULT 1,
  `state` varchar(255) NOT NULL DEFAULT 'init',
  `state_timestamp` datetime NOT NULL,
  `ok_actions` text DEFAULT NULL,
  `alarm_actions` text DEFAULT NULL,
  `insufficient_data_actions` text DEFAULT NULL,
  `last_evaluated_value` varchar(255) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `last_evaluated_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `backup_objects` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `service_type` varchar(255) NOT NULL,
  `backup_storage_id` int(11) NOT NULL,
  `size` bigint(20) NOT NULL,
  `allocation_size` bigint(20) NOT NULL,
  `container_format` varchar(255) NOT NULL,
  `status` int(11) NOT NULL DEFAULT 0,
  `state` varchar(255) NOT NULL DEFAULT 'initialized',
  `object_key` varchar(255) NOT NULL,
  `checksum` varchar(255) NOT NULL,
  `description` text DEFAULT NULL,
  `progress` double NOT NULL DEFAULT 0,
  `deleted_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `purged_at` datetime DEFAULT NULL,
  `source_volume_id` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `backup_objects_account_id_index` (`account_id`),
  KEY `backup_objects_deleted_at_index` (`deleted_at`),
  KEY `backup_objects_backup_storage_id_index` (`backup_storage_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `backup_storages` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `storage_type` varchar(255) NOT NULL,
  `description` text DEFAULT NULL,
  `base_uri` varchar(255) NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `node_id` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `dc_networks` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  `description` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `vlan_lease_id` int(11) DEFAULT NULL,
  `offering_network_modes` text NOT NULL,
  `allow_new_networks` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `physical_networks_name_index` (`name`),
  UNIQUE KEY `uuid` (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `dhcp_ranges` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_id` int(11) NOT NULL,
  `range_begin` int(11) unsigned NOT NULL,
  `range_end` int(11) unsigned NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `description` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `dhcp_ranges_network_id_index` (`network_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `frontend_systems` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `kind` varchar(255) NOT NULL,
  `key` varchar(255) NOT NULL,
  `credential` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `key` (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `histories` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `attr` varchar(255) NOT NULL,
  `vchar_value` varchar(255) DEFAULT NULL,
  `blob_value` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `histories_uuid_attr_index` (`uuid`,`attr`),
  KEY `histories_uuid_created_at_index` (`uuid`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `host_node_vnets` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `host_node_id` int(11) NOT NULL,
  `network_id` int(11) NOT NULL,
  `broadcast_addr` varchar(12) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `host_node_vnets_host_node_id_index` (`host_node_id`),
  KEY `host_node_vnets_network_id_index` (`network_id`),
  KEY `host_node_vnets_broadcast_addr_index` (`broadcast_addr`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `host_nodes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `node_id` varchar(255) DEFAULT NULL,
  `arch` varchar(255) NOT NULL,
  `hypervisor` varchar(255) NOT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  `offering_cpu_cores` int(11) NOT NULL,
  `offering_memory_size` int(11) NOT NULL,
  `offering_disk_space_mb` int(11) NOT NULL DEFAULT 0,
  `scheduling_enabled` tinyint(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `host_nodes_node_id_index` (`node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `hostname_leases` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `hostname` varchar(32) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `hostname_leases_account_id_hostname_index` (`account_id`,`hostname`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `images` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `boot_dev_type` int(11) NOT NULL DEFAULT 1,
  `arch` varchar(255) NOT NULL,
  `description` text DEFAULT NULL,
  `is_public` tinyint(1) NOT NULL DEFAULT 0,
  `state` varchar(255) NOT NULL DEFAULT 'init',
  `features` text DEFAULT NULL,
  `file_format` varchar(255) NOT NULL,
  `root_device` varchar(255) DEFAULT NULL,
  `is_cacheable` tinyint(1) NOT NULL DEFAULT 0,
  `instance_model_name` varchar(255) NOT NULL,
  `parent_image_id` varchar(255) DEFAULT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `backup_object_id` varchar(255) DEFAULT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `volumes` text NOT NULL,
  `vifs` text NOT NULL,
  `os_type` varchar(255) NOT NULL DEFAULT 'linux',
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `images_account_id_index` (`account_id`),
  KEY `images_is_public_index` (`is_public`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `instance_monitor_attrs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `instance_id` int(11) NOT NULL,
  `recipients` text NOT NULL,
  `enabled` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `instance_monitor_attrs_instance_id_index` (`instance_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `instances` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `host_node_id` int(11) DEFAULT NULL,
  `image_id` int(11) NOT NULL,
  `state` varchar(255) NOT NULL DEFAULT 'init',
  `status` varchar(255) NOT NULL DEFAULT 'init',
  `hostname` varchar(32) NOT NULL,
  `ssh_key_pair_id` int(11) DEFAULT NULL,
  `ha_enabled` int(11) NOT NULL DEFAULT 0,
  `quota_weight` double NOT NULL DEFAULT 0,
  `cpu_cores` int(11) NOT NULL,
  `memory_size` int(11) NOT NULL,
  `user_data` text NOT NULL,
  `runtime_config` text NOT NULL,
  `request_params` text NOT NULL,
  `terminated_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `hypervisor` varchar(255) NOT NULL,
  `boot_volume_id` varchar(255) NOT NULL,
  `encrypted_password` text DEFAULT NULL,
  `password_will_be_deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `instances_account_id_index` (`account_id`),
  KEY `instances_host_node_id_index` (`host_node_id`),
  KEY `instances_state_index` (`state`),
  KEY `instances_terminated_at_index` (`terminated_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ip_handles` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  `ip_pool_id` int(11) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `expires_at` datetime DEFAULT NULL,
  `deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `ip_handles_deleted_at_index` (`deleted_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ip_leases` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_id` int(11) NOT NULL,
  `ipv4` int(11) unsigned DEFAULT NULL,
  `description` varchar(255) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ip_leases_network_id_ipv4_index` (`network_id`,`ipv4`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ip_pool_dc_networks` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `ip_pool_id` int(11) NOT NULL,
  `dc_network_id` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ip_pool_dc_networks_ip_pool_id_dc_network_id_index` (`ip_pool_id`,`dc_network_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ip_pools` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  `expire_initial` int(11) DEFAULT NULL,
  `expire_released` int(11) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `ip_pools_account_id_index` (`account_id`),
  KEY `ip_pools_deleted_at_index` (`deleted_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `iscsi_storage_nodes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `ip_address` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `iscsi_volumes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `iscsi_storage_node_id` int(11) DEFAULT NULL,
  `iqn` varchar(255) DEFAULT NULL,
  `lun` varchar(255) DEFAULT NULL,
  `path` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `iscsi_volumes_iqn_lun_index` (`iqn`,`lun`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `job_states` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `job_id` varchar(80) NOT NULL,
  `parent_job_id` varchar(80) DEFAULT NULL,
  `node_id` varchar(255) NOT NULL,
  `state` varchar(255) NOT NULL,
  `message` text NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `started_at` datetime DEFAULT NULL,
  `finished_at` datetime DEFAULT NULL,
  `session_id` varchar(80) DEFAULT NULL,
  `job_name` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `job_states_job_id_index` (`job_id`),
  KEY `job_states_session_id_index` (`session_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `load_balancer_inbounds` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `load_balancer_id` int(11) NOT NULL,
  `protocol` varchar(255) NOT NULL,
  `port` int(11) NOT NULL,
  `created_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `is_deleted` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `load_balancer_inbounds_load_balancer_id_index` (`load_balancer_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `load_balancer_targets` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_vif_id` varchar(255) NOT NULL,
  `load_balancer_id` int(11) NOT NULL,
  `fallback_mode` varchar(255) NOT NULL DEFAULT 'off',
  `created_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `is_deleted` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `load_balancer_targets_load_balancer_id_network_vif_id_index` (`load_balancer_id`,`network_vif_id`,`is_deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `load_balancers` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `account_id` varchar(255) NOT NULL,
  `instance_id` int(11) NOT NULL,
  `instance_protocol` varchar(255) NOT NULL,
  `instance_port` int(11) NOT NULL,
  `balance_algorithm` varchar(255) NOT NULL,
  `cookie_name` varchar(255) DEFAULT NULL,
  `description` text DEFAULT NULL,
  `private_key` text DEFAULT NULL,
  `public_key` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  `allow_list` text DEFAULT NULL,
  `httpchk_path` text DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `load_balancers_account_id_index` (`account_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `local_volumes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `instance_id` int(11) NOT NULL,
  `mount_label` varchar(255) NOT NULL,
  `path` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `local_volumes_instance_id_index` (`instance_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `mac_leases` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `mac_addr` bigint(20) unsigned NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `mac_leases_mac_addr_index` (`mac_addr`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `mac_ranges` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `vendor_id` mediumint(8) unsigned NOT NULL,
  `range_begin` mediumint(8) unsigned NOT NULL,
  `range_end` mediumint(8) unsigned NOT NULL,
  `description` varchar(255) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_routes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `route_type` varchar(255) NOT NULL,
  `inner_lease_id` int(11) NOT NULL,
  `outer_lease_id` int(11) NOT NULL,
  `release_outer_vif` tinyint(1) NOT NULL DEFAULT 0,
  `release_inner_vif` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `is_deleted` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `network_routes_inner_lease_id_outer_lease_id_is_deleted_index` (`inner_lease_id`,`outer_lease_id`,`is_deleted`),
  KEY `network_routes_deleted_at_index` (`deleted_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_services` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_vif_id` int(11) DEFAULT NULL,
  `name` varchar(255) NOT NULL,
  `incoming_port` int(11) DEFAULT NULL,
  `outgoing_port` int(11) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `network_services_network_vif_id_name_index` (`network_vif_id`,`name`),
  KEY `network_services_network_vif_id_index` (`network_vif_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_vif_ip_leases` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_id` int(11) NOT NULL,
  `network_vif_id` int(11) DEFAULT NULL,
  `ipv4` int(11) unsigned NOT NULL,
  `alloc_type` int(11) NOT NULL DEFAULT 0,
  `description` varchar(255) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `is_deleted` int(11) NOT NULL,
  `ip_handle_id` int(11) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `network_vif_ip_leases_network_id_network_vif_id_ipv4_index` (`network_id`,`network_vif_id`,`ipv4`,`is_deleted`),
  KEY `network_vif_ip_leases_updated_at_index` (`updated_at`),
  KEY `network_vif_ip_leases_ip_handle_id_is_deleted_index` (`ip_handle_id`,`is_deleted`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_vif_monitors` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `network_vif_id` int(11) NOT NULL,
  `enabled` tinyint(1) NOT NULL DEFAULT 1,
  `title` varchar(255) NOT NULL,
  `params` text NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `network_vif_monitors_deleted_at_index` (`deleted_at`),
  KEY `network_vif_monitors_network_vif_id_index` (`network_vif_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_vif_security_groups` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `network_vif_id` int(11) NOT NULL,
  `security_group_id` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `network_vif_security_groups_network_vif_id_index` (`network_vif_id`),
  KEY `network_vif_security_groups_security_group_id_index` (`security_group_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `network_vifs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `instance_id` int(11) DEFAULT NULL,
  `network_id` int(11) DEFAULT NULL,
  `nat_network_id` int(11) DEFAULT NULL,
  `mac_addr` varchar(12) NOT NULL,
  `device_index` int(11) NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `account_id` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `instance_nics_deleted_at_index` (`deleted_at`),
  KEY `instance_nics_instance_id_index` (`instance_id`),
  KEY `instance_nics_mac_addr_index` (`mac_addr`),
  KEY `network_vifs_account_id_index` (`account_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `networks` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `ipv4_network` varchar(255) NOT NULL,
  `ipv4_gw` varchar(255) DEFAULT NULL,
  `prefix` int(11) NOT NULL DEFAULT 24,
  `metric` int(11) NOT NULL DEFAULT 100,
  `domain_name` varchar(255) DEFAULT NULL,
  `dns_server` varchar(255) DEFAULT NULL,
  `dhcp_server` varchar(255) DEFAULT NULL,
  `metadata_server` varchar(255) DEFAULT NULL,
  `metadata_server_port` int(11) DEFAULT NULL,
  `nat_network_id` int(11) DEFAULT NULL,
  `dc_network_id` int(11) DEFAULT NULL,
  `description` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `gateway_network_id` int(11) DEFAULT NULL,
  `network_mode` varchar(255) NOT NULL,
  `bandwidth` float DEFAULT NULL,
  `ip_assignment` varchar(255) NOT NULL DEFAULT 'asc',
  `editable` tinyint(1) NOT NULL DEFAULT 0,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `networks_account_id_index` (`account_id`),
  KEY `networks_nat_network_id_index` (`nat_network_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `nfs_storage_nodes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `mount_point` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `nfs_volumes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `nfs_storage_node_id` int(11) NOT NULL,
  `path` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `nfs_volumes_nfs_storage_node_id_index` (`nfs_storage_node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `node_states` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `node_id` varchar(80) NOT NULL,
  `boot_token` varchar(10) NOT NULL,
  `state` varchar(10) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `last_ping_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `node_states_node_id_index` (`node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `queued_jobs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `parent_id` int(11) DEFAULT NULL,
  `uuid` varchar(255) NOT NULL,
  `queue_name` varchar(255) NOT NULL,
  `params` text NOT NULL,
  `resource_id` varchar(255) NOT NULL,
  `worker_id` varchar(255) DEFAULT NULL,
  `state` varchar(255) NOT NULL,
  `retry_max` int(11) NOT NULL,
  `retry_count` int(11) NOT NULL,
  `finish_status` varchar(255) DEFAULT NULL,
  `finish_message` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `finished_at` datetime DEFAULT NULL,
  `started_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `queued_jobs_queue_name_state_worker_id_index` (`queue_name`,`state`,`worker_id`),
  KEY `queued_jobs_resource_id_started_at_index` (`resource_id`,`started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `request_logs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `request_id` varchar(40) NOT NULL,
  `frontend_system_id` varchar(40) NOT NULL,
  `account_id` varchar(40) NOT NULL,
  `requester_token` varchar(255) DEFAULT NULL,
  `request_method` varchar(10) NOT NULL,
  `api_path` varchar(255) NOT NULL,
  `params` text NOT NULL,
  `response_status` int(11) NOT NULL,
  `response_msg` text DEFAULT NULL,
  `requested_at` datetime NOT NULL,
  `requested_at_usec` int(11) NOT NULL,
  `responded_at` datetime NOT NULL,
  `responded_at_usec` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `request_id` (`request_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `resource_labels` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `resource_uuid` varchar(255) DEFAULT NULL,
  `name` varchar(255) NOT NULL,
  `value_type` int(11) NOT NULL,
  `string_value` varchar(255) DEFAULT NULL,
  `blob_value` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `resource_labels_resource_uuid_name_index` (`resource_uuid`,`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `schema_info` (
  `version` int(11) NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `security_group_references` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `referencer_id` int(11) NOT NULL,
  `referencee_id` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `security_group_references_referencer_id_index` (`referencer_id`),
  KEY `security_group_references_referencee_id_index` (`referencee_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `security_groups` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `description` varchar(255) DEFAULT NULL,
  `rule` text DEFAULT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `security_groups_account_id_index` (`account_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ssh_key_pairs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` char(8) NOT NULL,
  `finger_print` varchar(100) NOT NULL,
  `public_key` text NOT NULL,
  `description` text DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `ssh_key_pairs_account_id_index` (`account_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `storage_nodes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `uuid` varchar(255) NOT NULL,
  `node_id` varchar(255) NOT NULL,
  `offering_disk_space_mb` int(11) NOT NULL,
  `storage_type` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `display_name` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `storage_nodes_node_id_index` (`node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tag_mappings` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `tag_id` int(11) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `sort_index` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `tag_mappings_tag_id_index` (`tag_id`),
  KEY `tag_mappings_uuid_index` (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tags` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `type_id` int(11) NOT NULL,
  `name` varchar(255) NOT NULL,
  `attributes` varchar(255) DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `tags_account_id_type_id_name_index` (`account_id`,`type_id`,`name`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `tags_account_id_index` (`account_id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `vlan_leases` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `tag_id` int(11) NOT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `dc_network_id` int(11) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  UNIQUE KEY `vlan_leases_dc_network_id_tag_id_index` (`dc_network_id`,`tag_id`),
  KEY `vlan_leases_account_id_index` (`account_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `volume_snapshots` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `storage_node_id` int(11) NOT NULL,
  `origin_volume_id` varchar(255) NOT NULL,
  `size` int(11) NOT NULL,
  `status` int(11) NOT NULL DEFAULT 0,
  `state` varchar(255) NOT NULL DEFAULT 'initialized',
  `destination_key` varchar(255) NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `volume_snapshots_account_id_index` (`account_id`),
  KEY `volume_snapshots_deleted_at_index` (`deleted_at`),
  KEY `volume_snapshots_storage_node_id_index` (`storage_node_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `volumes` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `account_id` varchar(255) NOT NULL,
  `uuid` varchar(255) NOT NULL,
  `status` varchar(255) NOT NULL DEFAULT 'initialized',
  `state` varchar(255) NOT NULL DEFAULT 'initialized',
  `size` bigint(20) NOT NULL,
  `instance_id` int(11) DEFAULT NULL,
  `guest_device_name` varchar(255) DEFAULT NULL,
  `request_params` text NOT NULL,
  `deleted_at` datetime DEFAULT NULL,
  `attached_at` datetime DEFAULT NULL,
  `detached_at` datetime DEFAULT NULL,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  `service_type` varchar(255) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `backup_object_id` varchar(255) DEFAULT NULL,
  `volume_type` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uuid` (`uuid`),
  KEY `volumes_account_id_index` (`account_id`),
  KEY `volumes_deleted_at_index` (`deleted_at`),
  KEY `volumes_instance_id_index` (`instance_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*M!999999\- enable the sandbox mode */ 
INSERT INTO `schema_info` VALUES
(23);
