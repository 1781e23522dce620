package esxi

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// AttachDisk implements VMs.
func (c *Client) AttachDisk(ctx context.Context, name string, spec DiskSpec) error {
	const op = "attach disk"
	p, err := c.checkPath(spec.Path)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	if findDisk(devices, p) != nil {
		return errorf(op, name, ErrExists, "%s is already attached", p)
	}
	var changes []types.BaseVirtualDeviceConfigSpec
	ctrl, err := devices.FindSCSIController("")
	var controller types.BaseVirtualController
	if err != nil {
		scsi, cerr := devices.CreateSCSIController("pvscsi")
		if cerr != nil {
			return &OpError{Op: op, Object: name, Err: cerr}
		}
		devices = append(devices, scsi)
		changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: scsi})
		controller = scsi.(types.BaseVirtualController)
	} else {
		controller = ctrl
	}
	disk := devices.CreateDisk(controller, c.ds.Reference(), p.String())
	var fileOp types.VirtualDeviceConfigSpecFileOperation
	if spec.SizeMB > 0 {
		if _, err := c.Stat(ctx, p); errors.Is(err, ErrNotFound) {
			fileOp = types.VirtualDeviceConfigSpecFileOperationCreate
			disk.CapacityInKB = spec.SizeMB * 1024
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				b.ThinProvisioned = types.NewBool(true)
			}
		} else if err != nil {
			return wrapErr(op, name, err)
		}
	}
	changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, FileOperation: fileOp, Device: disk})
	return c.reconfigure(ctx, op, name, vm, changes...)
}

func findDisk(devices object.VirtualDeviceList, p DatastorePath) *types.VirtualDisk {
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			if b.GetVirtualDeviceFileBackingInfo().FileName == p.String() {
				return disk
			}
		}
	}
	return nil
}

// DetachDisk implements VMs. The disk's files stay on the datastore.
func (c *Client) DetachDisk(ctx context.Context, name string, path DatastorePath) error {
	const op = "detach disk"
	p, err := c.checkPath(path)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	disk := findDisk(devices, p)
	if disk == nil {
		return errorf(op, name, ErrNotFound, "no disk backed by %s", p)
	}
	// FileOperation stays empty: the files are kept (never "destroy" or
	// "replace", which would delete or truncate them).
	return c.reconfigure(ctx, op, name, vm, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationRemove, Device: disk})
}

// AttachNIC implements VMs.
func (c *Client) AttachNIC(ctx context.Context, name string, spec NICSpec) error {
	const op = "attach nic"
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	mac, err := NormalizeMAC(spec.MAC)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	if findNIC(devices, mac) != nil {
		return errorf(op, name, ErrExists, "a NIC with MAC %s exists", mac)
	}
	nic, err := c.nicDevice(ctx, devices, spec)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	return c.reconfigure(ctx, op, name, vm, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nic})
}

func findNIC(devices object.VirtualDeviceList, mac string) types.BaseVirtualDevice {
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		card := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		if m, err := NormalizeMAC(card.MacAddress); err == nil && m == mac {
			return d
		}
	}
	return nil
}

// DetachNIC implements VMs.
func (c *Client) DetachNIC(ctx context.Context, name string, mac string) error {
	const op = "detach nic"
	norm, err := NormalizeMAC(mac)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	nic := findNIC(devices, norm)
	if nic == nil {
		return errorf(op, name, ErrNotFound, "no NIC with MAC %s", norm)
	}
	return c.reconfigure(ctx, op, name, vm, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationRemove, Device: nic})
}

// InsertCDROM implements VMs.
func (c *Client) InsertCDROM(ctx context.Context, name string, iso DatastorePath) error {
	const op = "insert cdrom"
	p, err := c.checkPath(iso)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: err}
	}
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	if cd, err := devices.FindCdrom(""); err == nil {
		cd = devices.InsertIso(cd, p.String())
		return c.reconfigure(ctx, op, name, vm, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: cd})
	}
	var changes []types.BaseVirtualDeviceConfigSpec
	ide, err := devices.FindIDEController("")
	if err != nil {
		dev, cerr := devices.CreateIDEController()
		if cerr != nil {
			return &OpError{Op: op, Object: name, Err: cerr}
		}
		devices = append(devices, dev)
		changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: dev})
		ide = dev.(*types.VirtualIDEController)
	}
	cd, err := devices.CreateCdrom(ide)
	if err != nil {
		return &OpError{Op: op, Object: name, Err: fmt.Errorf("add a CD-ROM drive: %w", err)}
	}
	cd = devices.InsertIso(cd, p.String())
	changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: cd})
	return c.reconfigure(ctx, op, name, vm, changes...)
}

// EjectCDROM implements VMs.
func (c *Client) EjectCDROM(ctx context.Context, name string) error {
	const op = "eject cdrom"
	vm, devices, err := c.vmDevices(ctx, op, name)
	if err != nil {
		return err
	}
	cd, err := devices.FindCdrom("")
	if err != nil {
		return errorf(op, name, ErrNotFound, "the VM has no CD-ROM drive")
	}
	cd = devices.EjectIso(cd)
	return c.reconfigure(ctx, op, name, vm, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: cd})
}
