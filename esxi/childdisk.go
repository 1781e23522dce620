package esxi

import (
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// ChildDisk is a disk created with its VM as a delta child of a parent
// disk (a linked clone, as OpenStack Nova's VMware driver boots from its
// image cache): the VM reads the parent's blocks and writes its own to the
// child, so making one costs the same whatever the parent's size. The
// parent is never written through the child; it must outlive every child
// (see image.Cache.Prune), and a child cannot leave the parent's
// datastore.
type ChildDisk struct {
	// Path is the child's descriptor ("[ds] <vm>/<vm>.vmdk"); it must
	// not exist yet.
	Path DatastorePath
	// Parent is the parent's descriptor, on the same datastore.
	Parent DatastorePath
}

// childDiskDevice builds the device of a new thin delta disk over
// d.Parent on controller.
func (c *Client) childDiskDevice(devices object.VirtualDeviceList, controller types.BaseVirtualController, d ChildDisk) (*types.VirtualDisk, error) {
	p, err := c.checkPath(d.Path)
	if err != nil {
		return nil, err
	}
	parent, err := c.checkPath(d.Parent)
	if err != nil {
		return nil, fmt.Errorf("the parent of %s: %w", p, err)
	}
	if p == parent {
		return nil, fmt.Errorf("%w: %s cannot be its own parent", ErrBadName, p)
	}
	disk := devices.CreateDisk(controller, c.ds.Reference(), p.String())
	b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		return nil, fmt.Errorf("unexpected disk backing %T", disk.Backing)
	}
	b.ThinProvisioned = types.NewBool(true)
	b.Parent = &types.VirtualDiskFlatVer2BackingInfo{
		VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
			FileName:  parent.String(),
			Datastore: types.NewReference(c.ds.Reference()),
		},
		DiskMode: string(types.VirtualDiskModePersistent),
	}
	return disk, nil
}

// diskParents returns the ancestors of a disk backing, nearest first.
func diskParents(backing types.BaseVirtualDeviceBackingInfo) []DatastorePath {
	var out []DatastorePath
	for b := parentOf(backing); b != nil; b = parentOf(b) {
		fb, ok := b.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			break
		}
		p, err := ParseDatastorePath(fb.GetVirtualDeviceFileBackingInfo().FileName)
		if err != nil {
			break
		}
		out = append(out, p)
		if len(out) > 255 { // a chain that loops (it never should)
			break
		}
	}
	return out
}

// parentOf returns the parent of a disk backing, or nil.
func parentOf(b types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	switch x := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	case *types.VirtualDiskSeSparseBackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	case *types.VirtualDiskSparseVer2BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	case *types.VirtualDiskFlatVer1BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	case *types.VirtualDiskSparseVer1BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	}
	return nil
}
