package registry

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// HostNodeFields are the columns sent by CreateHostNode and UpdateHostNode;
// empty strings and nil pointers are not sent.
type HostNodeFields struct {
	// UUID may carry the "hn-" prefix; dcmgr strips it.
	UUID                string
	NodeID              string
	DisplayName         string
	Arch                string
	Hypervisor          string
	OfferingCPUCores    *int
	OfferingMemorySize  *int
	OfferingDiskSpaceMB *int
	SchedulingEnabled   *bool
}

func (f HostNodeFields) values() url.Values {
	v := url.Values{}
	setStr(v, "uuid", f.UUID)
	setStr(v, "node_id", f.NodeID)
	setStr(v, "display_name", f.DisplayName)
	setStr(v, "arch", f.Arch)
	setStr(v, "hypervisor", f.Hypervisor)
	setInt(v, "offering_cpu_cores", f.OfferingCPUCores)
	setInt(v, "offering_memory_size", f.OfferingMemorySize)
	setInt(v, "offering_disk_space_mb", f.OfferingDiskSpaceMB)
	if f.SchedulingEnabled != nil {
		v.Set("scheduling_enabled", strconv.FormatBool(*f.SchedulingEnabled))
	}
	return v
}

// BackupStorageFields are the columns POST and PUT /backup_storages take;
// empty strings are not sent.
type BackupStorageFields struct {
	UUID        string
	DisplayName string
	// StorageType is "local", "webdav" or "ifs".
	StorageType string
	// BaseURI must end with "/".
	BaseURI     string
	Description string
}

func (f BackupStorageFields) values() url.Values {
	v := url.Values{}
	setStr(v, "uuid", f.UUID)
	setStr(v, "display_name", f.DisplayName)
	setStr(v, "storage_type", f.StorageType)
	setStr(v, "base_uri", f.BaseURI)
	setStr(v, "description", f.Description)
	return v
}

// BackupObjectFields are the columns POST /backup_objects takes (PUT takes
// only DisplayName, Description and ServiceType). dcmgr cannot set a backup
// object's uuid or container_format over the API. The account comes from
// the client's account header, or AccountID when no header is set.
type BackupObjectFields struct {
	BackupStorageID string
	AccountID       string
	ObjectKey       string
	Size            *int64
	AllocationSize  *int64
	Checksum        string
	ServiceType     string
	DisplayName     string
	Description     string
	State           string
}

func (f BackupObjectFields) values() url.Values {
	v := url.Values{}
	setStr(v, "backup_storage_id", f.BackupStorageID)
	setStr(v, "account_id", f.AccountID)
	setStr(v, "object_key", f.ObjectKey)
	if f.Size != nil {
		v.Set("size", strconv.FormatInt(*f.Size, 10))
	}
	if f.AllocationSize != nil {
		v.Set("allocation_size", strconv.FormatInt(*f.AllocationSize, 10))
	}
	setStr(v, "checksum", f.Checksum)
	setStr(v, "service_type", f.ServiceType)
	setStr(v, "display_name", f.DisplayName)
	setStr(v, "description", f.Description)
	setStr(v, "state", f.State)
	return v
}

// ImageFields are what PUT /images/:id can change.
type ImageFields struct {
	DisplayName *string
	Description *string
}

func setStr(v url.Values, k, s string) {
	if s != "" {
		v.Set(k, s)
	}
}

func setInt(v url.Values, k string, p *int) {
	if p != nil {
		v.Set(k, strconv.Itoa(*p))
	}
}

func idPath(collection, id string) string { return collection + "/" + url.PathEscape(id) }

// ListHostNodes reads one page of host nodes.
func (c *Client) ListHostNodes(ctx context.Context, o ListOptions) (Page[HostNode], error) {
	return listPage[HostNode](ctx, c, "host_nodes", o)
}

// AllHostNodes iterates over every host node matching o, page by page.
func (c *Client) AllHostNodes(ctx context.Context, o ListOptions) iter.Seq2[HostNode, error] {
	return listAll[HostNode](ctx, c, "host_nodes", o)
}

// HostNode reads one host node by its UUID ("hn-esxi1").
func (c *Client) HostNode(ctx context.Context, id string) (HostNode, error) {
	var h HostNode
	return h, c.do(ctx, http.MethodGet, idPath("host_nodes", id), nil, &h)
}

// CreateHostNode creates a host node. dcmgr does no NodeState or hypervisor
// check here (RegisterHost does); the account header is never sent.
func (c *Client) CreateHostNode(ctx context.Context, f HostNodeFields) (HostNode, error) {
	var h HostNode
	return h, c.do(ctx, http.MethodPost, "host_nodes", f.values(), &h)
}

// UpdateHostNode changes the given columns of a host node.
func (c *Client) UpdateHostNode(ctx context.Context, id string, f HostNodeFields) (HostNode, error) {
	var h HostNode
	return h, c.do(ctx, http.MethodPut, idPath("host_nodes", id), f.values(), &h)
}

// DeleteHostNode deletes a host node.
func (c *Client) DeleteHostNode(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, idPath("host_nodes", id), nil, nil)
}

// ListBackupStorages reads one page of backup storages.
func (c *Client) ListBackupStorages(ctx context.Context, o ListOptions) (Page[BackupStorage], error) {
	return listPage[BackupStorage](ctx, c, "backup_storages", o)
}

// AllBackupStorages iterates over every backup storage.
func (c *Client) AllBackupStorages(ctx context.Context, o ListOptions) iter.Seq2[BackupStorage, error] {
	return listAll[BackupStorage](ctx, c, "backup_storages", o)
}

// BackupStorage reads one backup storage ("bkst-...").
func (c *Client) BackupStorage(ctx context.Context, id string) (BackupStorage, error) {
	var b BackupStorage
	return b, c.do(ctx, http.MethodGet, idPath("backup_storages", id), nil, &b)
}

// CreateBackupStorage creates a backup storage.
func (c *Client) CreateBackupStorage(ctx context.Context, f BackupStorageFields) (BackupStorage, error) {
	var b BackupStorage
	return b, c.do(ctx, http.MethodPost, "backup_storages", f.values(), &b)
}

// UpdateBackupStorage changes the given columns of a backup storage.
func (c *Client) UpdateBackupStorage(ctx context.Context, id string, f BackupStorageFields) (BackupStorage, error) {
	var b BackupStorage
	return b, c.do(ctx, http.MethodPut, idPath("backup_storages", id), f.values(), &b)
}

// DeleteBackupStorage deletes (soft: deleted_at) a backup storage.
func (c *Client) DeleteBackupStorage(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, idPath("backup_storages", id), nil, nil)
}

// ListBackupObjects reads one page of backup objects.
func (c *Client) ListBackupObjects(ctx context.Context, o ListOptions) (Page[BackupObject], error) {
	return listPage[BackupObject](ctx, c, "backup_objects", o)
}

// AllBackupObjects iterates over every backup object matching o.
func (c *Client) AllBackupObjects(ctx context.Context, o ListOptions) iter.Seq2[BackupObject, error] {
	return listAll[BackupObject](ctx, c, "backup_objects", o)
}

// BackupObject reads one backup object ("bo-...").
func (c *Client) BackupObject(ctx context.Context, id string) (BackupObject, error) {
	var b BackupObject
	return b, c.do(ctx, http.MethodGet, idPath("backup_objects", id), nil, &b)
}

// CreateBackupObject creates a backup object in an existing storage.
func (c *Client) CreateBackupObject(ctx context.Context, f BackupObjectFields) (BackupObject, error) {
	var b BackupObject
	return b, c.do(ctx, http.MethodPost, "backup_objects", f.values(), &b)
}

// UpdateBackupObject changes display_name, description or service_type.
func (c *Client) UpdateBackupObject(ctx context.Context, id string, f BackupObjectFields) (BackupObject, error) {
	v := url.Values{}
	setStr(v, "display_name", f.DisplayName)
	setStr(v, "description", f.Description)
	setStr(v, "service_type", f.ServiceType)
	var b BackupObject
	return b, c.do(ctx, http.MethodPut, idPath("backup_objects", id), v, &b)
}

// DeleteBackupObject deletes a backup object; dcmgr allows it only in
// state "available".
func (c *Client) DeleteBackupObject(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, idPath("backup_objects", id), nil, nil)
}

// ListImages reads one page of images (with an account header: the
// account's and the public ones).
func (c *Client) ListImages(ctx context.Context, o ListOptions) (Page[Image], error) {
	return listPage[Image](ctx, c, "images", o)
}

// AllImages iterates over every image matching o.
func (c *Client) AllImages(ctx context.Context, o ListOptions) iter.Seq2[Image, error] {
	return listAll[Image](ctx, c, "images", o)
}

// Image reads one image ("wmi-...").
func (c *Client) Image(ctx context.Context, id string) (Image, error) {
	var i Image
	return i, c.do(ctx, http.MethodGet, idPath("images", id), nil, &i)
}

// UpdateImage changes an image's display name and/or description.
func (c *Client) UpdateImage(ctx context.Context, id string, f ImageFields) (Image, error) {
	v := url.Values{}
	if f.DisplayName != nil {
		v.Set("display_name", *f.DisplayName)
	}
	if f.Description != nil {
		v.Set("description", *f.Description)
	}
	var i Image
	return i, c.do(ctx, http.MethodPut, idPath("images", id), v, &i)
}

// DeleteImage deletes (soft: state deleted) an image.
func (c *Client) DeleteImage(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, idPath("images", id), nil, nil)
}
