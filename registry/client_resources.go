package registry

import (
	"context"
	"iter"
)

// HostNodeFields are the columns sent by CreateHostNode and UpdateHostNode;
// empty strings and nil pointers are not sent.
type HostNodeFields struct {
	// UUID may carry the "hn-" prefix; dcmgr strips it.
	UUID                string `form:"uuid"`
	NodeID              string `form:"node_id"`
	DisplayName         string `form:"display_name"`
	Arch                string `form:"arch"`
	Hypervisor          string `form:"hypervisor"`
	OfferingCPUCores    *int   `form:"offering_cpu_cores"`
	OfferingMemorySize  *int   `form:"offering_memory_size"`
	OfferingDiskSpaceMB *int   `form:"offering_disk_space_mb"`
	SchedulingEnabled   *bool  `form:"scheduling_enabled"`
}

// BackupStorageFields are the columns POST and PUT /backup_storages take;
// empty strings are not sent.
type BackupStorageFields struct {
	UUID        string `form:"uuid"`
	DisplayName string `form:"display_name"`
	// StorageType is "local", "webdav" or "ifs".
	StorageType string `form:"storage_type"`
	// BaseURI must end with "/".
	BaseURI     string `form:"base_uri"`
	Description string `form:"description"`
}

// BackupObjectFields are the columns POST /backup_objects takes (PUT takes
// only DisplayName, Description and ServiceType). dcmgr cannot set a backup
// object's uuid or container_format over the API. The account comes from
// the client's account header, or AccountID when no header is set.
type BackupObjectFields struct {
	BackupStorageID string `form:"backup_storage_id"`
	AccountID       string `form:"account_id"`
	ObjectKey       string `form:"object_key"`
	Size            *int64 `form:"size"`
	AllocationSize  *int64 `form:"allocation_size"`
	Checksum        string `form:"checksum"`
	ServiceType     string `form:"service_type"`
	DisplayName     string `form:"display_name"`
	Description     string `form:"description"`
	State           string `form:"state"`
}

// ImageFields are what PUT /images/:id can change; nil is not sent.
type ImageFields struct {
	DisplayName *string `form:"display_name"`
	Description *string `form:"description"`
}

// ListHostNodes reads one page of host nodes.
func (c *Client) ListHostNodes(ctx context.Context, o ListOptions) (Page[HostNode], error) {
	return hostNodes.page(ctx, c, o)
}

// AllHostNodes iterates over every host node matching o, page by page.
func (c *Client) AllHostNodes(ctx context.Context, o ListOptions) iter.Seq2[HostNode, error] {
	return hostNodes.all(ctx, c, o)
}

// HostNode reads one host node by its UUID ("hn-esxi1").
func (c *Client) HostNode(ctx context.Context, id string) (HostNode, error) {
	return hostNodes.get(ctx, c, id)
}

// CreateHostNode creates a host node. dcmgr does no NodeState or hypervisor
// check here (RegisterHost does); the account header is never sent.
func (c *Client) CreateHostNode(ctx context.Context, f HostNodeFields) (HostNode, error) {
	return hostNodes.create(ctx, c, f)
}

// UpdateHostNode changes the given columns of a host node.
func (c *Client) UpdateHostNode(ctx context.Context, id string, f HostNodeFields) (HostNode, error) {
	return hostNodes.update(ctx, c, id, f)
}

// DeleteHostNode deletes a host node.
func (c *Client) DeleteHostNode(ctx context.Context, id string) error {
	return hostNodes.remove(ctx, c, id)
}

// ListBackupStorages reads one page of backup storages.
func (c *Client) ListBackupStorages(ctx context.Context, o ListOptions) (Page[BackupStorage], error) {
	return backupStorages.page(ctx, c, o)
}

// AllBackupStorages iterates over every backup storage.
func (c *Client) AllBackupStorages(ctx context.Context, o ListOptions) iter.Seq2[BackupStorage, error] {
	return backupStorages.all(ctx, c, o)
}

// BackupStorage reads one backup storage ("bkst-...").
func (c *Client) BackupStorage(ctx context.Context, id string) (BackupStorage, error) {
	return backupStorages.get(ctx, c, id)
}

// CreateBackupStorage creates a backup storage.
func (c *Client) CreateBackupStorage(ctx context.Context, f BackupStorageFields) (BackupStorage, error) {
	return backupStorages.create(ctx, c, f)
}

// UpdateBackupStorage changes the given columns of a backup storage.
func (c *Client) UpdateBackupStorage(ctx context.Context, id string, f BackupStorageFields) (BackupStorage, error) {
	return backupStorages.update(ctx, c, id, f)
}

// DeleteBackupStorage deletes (soft: deleted_at) a backup storage.
func (c *Client) DeleteBackupStorage(ctx context.Context, id string) error {
	return backupStorages.remove(ctx, c, id)
}

// ListBackupObjects reads one page of backup objects.
func (c *Client) ListBackupObjects(ctx context.Context, o ListOptions) (Page[BackupObject], error) {
	return backupObjects.page(ctx, c, o)
}

// AllBackupObjects iterates over every backup object matching o.
func (c *Client) AllBackupObjects(ctx context.Context, o ListOptions) iter.Seq2[BackupObject, error] {
	return backupObjects.all(ctx, c, o)
}

// BackupObject reads one backup object ("bo-...").
func (c *Client) BackupObject(ctx context.Context, id string) (BackupObject, error) {
	return backupObjects.get(ctx, c, id)
}

// CreateBackupObject creates a backup object in an existing storage.
func (c *Client) CreateBackupObject(ctx context.Context, f BackupObjectFields) (BackupObject, error) {
	return backupObjects.create(ctx, c, f)
}

// UpdateBackupObject changes display_name, description or service_type.
func (c *Client) UpdateBackupObject(ctx context.Context, id string, f BackupObjectFields) (BackupObject, error) {
	return backupObjects.update(ctx, c, id, BackupObjectFields{
		DisplayName: f.DisplayName, Description: f.Description, ServiceType: f.ServiceType,
	})
}

// DeleteBackupObject deletes a backup object; dcmgr allows it only in
// state "available".
func (c *Client) DeleteBackupObject(ctx context.Context, id string) error {
	return backupObjects.remove(ctx, c, id)
}

// ListImages reads one page of images (with an account header: the
// account's and the public ones).
func (c *Client) ListImages(ctx context.Context, o ListOptions) (Page[Image], error) {
	return images.page(ctx, c, o)
}

// AllImages iterates over every image matching o.
func (c *Client) AllImages(ctx context.Context, o ListOptions) iter.Seq2[Image, error] {
	return images.all(ctx, c, o)
}

// Image reads one image ("wmi-...").
func (c *Client) Image(ctx context.Context, id string) (Image, error) {
	return images.get(ctx, c, id)
}

// UpdateImage changes an image's display name and/or description.
func (c *Client) UpdateImage(ctx context.Context, id string, f ImageFields) (Image, error) {
	return images.update(ctx, c, id, f)
}

// DeleteImage deletes (soft: state deleted) an image.
func (c *Client) DeleteImage(ctx context.Context, id string) error {
	return images.remove(ctx, c, id)
}
