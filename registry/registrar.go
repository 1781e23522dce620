package registry

import (
	"context"
	"fmt"
	"strconv"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// Registrar is what vdc-manage's host, image and show commands do, as Go
// calls. *Client and *SQL implement it; see the package doc for which
// backend can do what.
type Registrar interface {
	// RegisterHost is `vdc-manage host add`.
	RegisterHost(ctx context.Context, spec HostSpec) (HostRegistration, error)
	// RegisterImage is `vdc-manage image add local FLAT_URI --md5sum`.
	RegisterImage(ctx context.Context, spec ImageSpec) (ImageRegistration, error)
	// Hosts is `vdc-manage host show`: every host with its status.
	Hosts(ctx context.Context) ([]HostNode, error)
}

var (
	_ Registrar = (*Client)(nil)
	_ Registrar = (*SQL)(nil)
)

// HostRegistration is the outcome of RegisterHost.
type HostRegistration struct {
	// Host is the registered host; Host.ID is its canonical "hn-" UUID.
	// With a *ConflictError on the same node id, Host is the host
	// already registered.
	Host HostNode
	// Created is false when the same host was already registered.
	Created bool
}

// ImageRegistration is the outcome of RegisterImage.
type ImageRegistration struct {
	// ImageID, BackupObjectID and BackupStorageID are canonical UUIDs
	// ("wmi-", "bo-", "bkst-").
	ImageID         string
	BackupObjectID  string
	BackupStorageID string
	// Pair is the flat/descriptor pair that was checked.
	Pair Pair
	// Size is the flat file's size in bytes.
	Size int64
	// Created is false when the same image was already registered;
	// StorageCreated is false when an existing storage was reused.
	Created        bool
	StorageCreated bool
}

// hostDiff lists the fields where an existing host differs from spec.
func hostDiff(h HostNode, s HostSpec) []FieldDiff {
	var d fieldDiffs
	if s.UUID != "" {
		d.add("uuid", h.ID, Canonical(PrefixHostNode, s.UUID))
	}
	if s.DisplayName != "" {
		d.add("display name", h.DisplayName, s.DisplayName)
	}
	d.add("hypervisor", h.Hypervisor, s.Hypervisor)
	d.add("arch", h.Arch, s.Arch)
	d.add("cpu cores", strconv.Itoa(h.OfferingCPUCores), strconv.Itoa(s.CPUCores))
	d.add("memory size", strconv.Itoa(h.OfferingMemorySize), strconv.Itoa(s.MemoryMB))
	d.add("disk space", strconv.Itoa(h.OfferingDiskSpaceMB), strconv.Itoa(s.DiskSpaceMB))
	return d
}

// RegisterHost validates spec, then registers the host over the Web API:
// an existing host with the same node id is compared (same fields: no-op;
// different: *ConflictError), a UUID already taken by another node is a
// conflict, and otherwise the host is created. Unless spec.Force is set, a
// host whose status comes back "offline" is deleted again and ErrNodeNotSeen
// returned (the API cannot read node_states; see the package doc).
func (c *Client) RegisterHost(ctx context.Context, spec HostSpec) (HostRegistration, error) {
	s, err := spec.normalized()
	if err != nil {
		return HostRegistration{}, err
	}
	existing, err := collect(c.AllHostNodes(ctx, ListOptions{Filter: map[string]string{"node_id": s.NodeID}}))
	if err != nil {
		return HostRegistration{}, fmt.Errorf("look up host %s: %w", s.NodeID, err)
	}
	for _, h := range existing {
		if h.NodeID != s.NodeID {
			continue
		}
		if d := hostDiff(h, s); len(d) > 0 {
			return HostRegistration{Host: h}, &ConflictError{Kind: "host node", ID: h.ID, Fields: d}
		}
		return HostRegistration{Host: h}, nil
	}
	if s.UUID != "" {
		id := Canonical(PrefixHostNode, s.UUID)
		h, err := c.HostNode(ctx, id)
		switch {
		case err == nil:
			return HostRegistration{}, &ConflictError{Kind: "host node", ID: h.ID,
				Reason: fmt.Sprintf("for node %q, so %q cannot take its uuid", h.NodeID, s.NodeID)}
		case !isNotFound(err):
			return HostRegistration{}, fmt.Errorf("look up host %s: %w", id, err)
		}
	}
	f := HostNodeFields{NodeID: s.NodeID, DisplayName: s.DisplayName, Arch: s.Arch, Hypervisor: s.Hypervisor,
		OfferingCPUCores: &s.CPUCores, OfferingMemorySize: &s.MemoryMB, OfferingDiskSpaceMB: &s.DiskSpaceMB}
	if s.UUID != "" {
		f.UUID = Canonical(PrefixHostNode, s.UUID)
	}
	h, err := c.CreateHostNode(ctx, f)
	if err != nil {
		return HostRegistration{}, fmt.Errorf("create host %s: %w", s.NodeID, err)
	}
	if !s.Force && (h.Status == "" || h.Status == "offline") {
		if derr := c.DeleteHostNode(context.WithoutCancel(ctx), h.ID); derr != nil {
			return HostRegistration{}, joinerr.Join(
				fmt.Errorf("host %s: %w", s.NodeID, ErrNodeNotSeen),
				fmt.Errorf("remove the host node %s created for the check: %w", h.ID, derr))
		}
		return HostRegistration{}, fmt.Errorf("host %s: %w", s.NodeID, ErrNodeNotSeen)
	}
	return HostRegistration{Host: h, Created: true}, nil
}

// RegisterImage validates spec and returns ErrUnsupported: dcmgr's Web API
// has no POST /images, so an image can only be registered with SQL.
func (c *Client) RegisterImage(ctx context.Context, spec ImageSpec) (ImageRegistration, error) {
	if _, err := spec.normalized(); err != nil {
		return ImageRegistration{}, err
	}
	return ImageRegistration{}, fmt.Errorf("register image %s over the web api: %w: dcmgr has no POST /images; use the SQL backend", spec.FlatURI, ErrUnsupported)
}

// Hosts lists every host node with its status, like `vdc-manage host show`.
func (c *Client) Hosts(ctx context.Context) ([]HostNode, error) {
	hs, err := collect(c.AllHostNodes(ctx, ListOptions{}))
	if err != nil {
		return nil, fmt.Errorf("list hosts: %w", err)
	}
	return hs, nil
}
