package esxi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// defaultGuestID is used when VMSpec.GuestID is empty.
const defaultGuestID = "otherLinux64Guest"

// vmProps are the properties VMInfo is built from.
var vmProps = []string{"name", "runtime.powerState", "guest.toolsRunningStatus", "config.hardware", "config.files.vmPathName"}

// checkPath fills in the configured datastore when p has none and refuses
// paths elsewhere or with bad elements.
func (c *Client) checkPath(p DatastorePath) (DatastorePath, error) {
	if p.Datastore == "" {
		p.Datastore = c.cfg.Datastore
	}
	if p.Datastore != c.cfg.Datastore {
		return p, fmt.Errorf("%w: %s is not on datastore %q, the only one this client uses", ErrBadName, p, c.cfg.Datastore)
	}
	if _, err := ParseDatastorePath(p.String()); err != nil {
		return p, err
	}
	return p, nil
}

// findVM returns the VM named name, or an error wrapping ErrNotFound.
func (c *Client) findVM(ctx context.Context, op, name string) (*object.VirtualMachine, error) {
	if err := ValidateID(name); err != nil {
		return nil, &OpError{Op: op, Object: name, Err: err}
	}
	ref, err := object.NewSearchIndex(c.vim).FindChild(ctx, c.vmFolder, name)
	if err != nil {
		return nil, wrapErr(op, name, err)
	}
	if ref == nil {
		return nil, errorf(op, name, ErrNotFound, "no VM named %q", name)
	}
	vm, ok := ref.(*object.VirtualMachine)
	if !ok {
		return nil, errorf(op, name, ErrNotFound, "%q is a %T, not a VM", name, ref)
	}
	return vm, nil
}

// CreateVM implements VMs.
func (c *Client) CreateVM(ctx context.Context, spec VMSpec) (*VMInfo, error) {
	const op = "create vm"
	cs, err := c.configSpec(ctx, spec)
	if err != nil {
		return nil, &OpError{Op: op, Object: spec.Name, Err: err}
	}
	if _, err := c.findVM(ctx, op, spec.Name); err == nil {
		return nil, errorf(op, spec.Name, ErrExists, "a VM named %q exists", spec.Name)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	folder := DatastorePath{Datastore: c.cfg.Datastore, Path: spec.Name}
	before, folderExisted := c.snapshotDir(ctx, folder)

	task, err := c.vmFolder.CreateVM(ctx, *cs, c.pool, c.host)
	if err == nil {
		_, err = task.WaitForResult(ctx, nil)
	}
	if err != nil {
		cause := wrapErr(op, spec.Name, err)
		if cerr := c.cleanupCreate(context.WithoutCancel(ctx), folder, before, folderExisted); cerr != nil {
			cause = multierror.Append(cause, cerr)
		}
		return nil, cause
	}
	return c.VM(ctx, spec.Name)
}

// snapshotDir records the names in folder, and whether it exists.
func (c *Client) snapshotDir(ctx context.Context, folder DatastorePath) (map[string]bool, bool) {
	entries, err := c.ListDir(ctx, folder)
	if err != nil {
		return nil, false
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.Path.Base()] = true
	}
	return names, true
}

// cleanupCreate removes what a failed CreateVM left: the whole folder if
// it is new, otherwise only the files that were not there before.
func (c *Client) cleanupCreate(ctx context.Context, folder DatastorePath, before map[string]bool, existed bool) error {
	if !existed {
		if err := c.Delete(ctx, folder); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil
	}
	entries, err := c.ListDir(ctx, folder)
	if err != nil {
		return err
	}
	var merr *multierror.Error
	for _, e := range entries {
		if !before[e.Path.Base()] {
			if err := c.Delete(ctx, e.Path); err != nil && !errors.Is(err, ErrNotFound) {
				merr = multierror.Append(merr, err)
			}
		}
	}
	return merr.ErrorOrNil()
}

// configSpec validates spec and turns it into a vSphere config spec.
func (c *Client) configSpec(ctx context.Context, spec VMSpec) (*types.VirtualMachineConfigSpec, error) {
	if err := ValidateID(spec.Name); err != nil {
		return nil, err
	}
	if spec.CPUs <= 0 || spec.MemoryMB <= 0 {
		return nil, fmt.Errorf("CPUs (%d) and MemoryMB (%d) must be positive", spec.CPUs, spec.MemoryMB)
	}
	guest := spec.GuestID
	if guest == "" {
		guest = defaultGuestID
	}
	var devices object.VirtualDeviceList
	var changes []types.BaseVirtualDeviceConfigSpec
	add := func(d types.BaseVirtualDevice, fileOp types.VirtualDeviceConfigSpecFileOperation) {
		devices = append(devices, d)
		changes = append(changes, &types.VirtualDeviceConfigSpec{
			Operation: types.VirtualDeviceConfigSpecOperationAdd, FileOperation: fileOp, Device: d,
		})
	}
	if len(spec.Disks) > 0 || spec.BootChild != nil {
		scsi, err := devices.CreateSCSIController("pvscsi")
		if err != nil {
			return nil, err
		}
		add(scsi, "")
		if spec.BootChild != nil {
			disk, err := c.childDiskDevice(devices, scsi.(types.BaseVirtualController), *spec.BootChild)
			if err != nil {
				return nil, err
			}
			add(disk, types.VirtualDeviceConfigSpecFileOperationCreate)
		}
		for _, d := range spec.Disks {
			p, err := c.checkPath(d)
			if err != nil {
				return nil, err
			}
			disk := devices.CreateDisk(scsi.(types.BaseVirtualController), c.ds.Reference(), p.String())
			add(disk, "")
		}
	}
	if spec.CDROM != nil {
		p, err := c.checkPath(*spec.CDROM)
		if err != nil {
			return nil, err
		}
		ide, err := devices.CreateIDEController()
		if err != nil {
			return nil, err
		}
		add(ide, "")
		cd, err := devices.CreateCdrom(ide.(*types.VirtualIDEController))
		if err != nil {
			return nil, err
		}
		cd = devices.InsertIso(cd, p.String())
		add(cd, "")
	}
	seen := map[string]bool{}
	for _, n := range spec.NICs {
		nic, err := c.nicDevice(ctx, devices, n)
		if err != nil {
			return nil, err
		}
		mac := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().MacAddress
		if seen[mac] {
			return nil, fmt.Errorf("%w: MAC %s is given twice", ErrBadName, mac)
		}
		seen[mac] = true
		add(nic, "")
	}
	return &types.VirtualMachineConfigSpec{
		Name:         spec.Name,
		GuestId:      guest,
		NumCPUs:      int32(spec.CPUs),
		MemoryMB:     spec.MemoryMB,
		Annotation:   spec.Annotation,
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s] %s/%s.vmx", c.cfg.Datastore, spec.Name, spec.Name)},
		DeviceChange: changes,
	}, nil
}

// NormalizeMAC returns mac in lower-case colon form. It accepts colons,
// dashes or no separators (Wakame stores 12 hex digits).
func NormalizeMAC(mac string) (string, error) {
	s := strings.ToLower(strings.NewReplacer(":", "", "-", "", ".", "").Replace(strings.TrimSpace(mac)))
	if len(s) == 12 {
		s = s[0:2] + ":" + s[2:4] + ":" + s[4:6] + ":" + s[6:8] + ":" + s[8:10] + ":" + s[10:12]
	}
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return "", fmt.Errorf("%w: %q is not a MAC address", ErrBadName, mac)
	}
	return hw.String(), nil
}

// nicDevice builds a NIC on the spec's port group with a fixed MAC.
func (c *Client) nicDevice(ctx context.Context, devices object.VirtualDeviceList, n NICSpec) (types.BaseVirtualDevice, error) {
	mac, err := NormalizeMAC(n.MAC)
	if err != nil {
		return nil, err
	}
	pg := n.PortGroup
	if pg == "" {
		pg = c.cfg.portGroup()
	}
	netRef, err := c.network(ctx, pg)
	if err != nil {
		return nil, err
	}
	backing, err := netRef.EthernetCardBackingInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("port group %q: %w", pg, err)
	}
	adapter := n.Adapter
	if adapter == "" {
		adapter = E1000
	}
	if adapter != E1000 && adapter != VMXNET3 {
		return nil, fmt.Errorf("%w: NIC adapter %q: use e1000 or vmxnet3", ErrInvalidConfig, adapter)
	}
	dev, err := devices.CreateEthernetCard(string(adapter), backing)
	if err != nil {
		return nil, err
	}
	card := dev.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
	card.AddressType = string(types.VirtualEthernetCardMacTypeManual)
	card.MacAddress = mac
	return dev, nil
}

// VM implements VMs.
func (c *Client) VM(ctx context.Context, name string) (*VMInfo, error) {
	vm, err := c.findVM(ctx, "get vm", name)
	if err != nil {
		return nil, err
	}
	var m mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), vmProps, &m); err != nil {
		return nil, wrapErr("get vm", name, err)
	}
	info := vmInfo(&m)
	return &info, nil
}

// ListVMs implements VMs.
func (c *Client) ListVMs(ctx context.Context) ([]VMInfo, error) {
	m := view.NewManager(c.vim)
	v, err := m.CreateContainerView(ctx, c.vmFolder.Reference(), []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, wrapErr("list vms", "", err)
	}
	defer func() { _ = v.Destroy(context.WithoutCancel(ctx)) }()
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, vmProps, &vms); err != nil {
		return nil, wrapErr("list vms", "", err)
	}
	out := make([]VMInfo, 0, len(vms))
	for i := range vms {
		out = append(out, vmInfo(&vms[i]))
	}
	return out, nil
}

func vmInfo(m *mo.VirtualMachine) VMInfo {
	info := VMInfo{Name: m.Name, PowerState: PowerState(m.Runtime.PowerState)}
	if m.Guest != nil {
		info.ToolsRunning = m.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	}
	if m.Config == nil {
		return info
	}
	if p, err := ParseDatastorePath(m.Config.Files.VmPathName); err == nil {
		info.Folder = p.Dir()
	}
	info.CPUs = int(m.Config.Hardware.NumCPU)
	info.MemoryMB = int64(m.Config.Hardware.MemoryMB)
	for _, d := range m.Config.Hardware.Device {
		switch dev := d.(type) {
		case *types.VirtualDisk:
			if b, ok := dev.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				if p, err := ParseDatastorePath(b.GetVirtualDeviceFileBackingInfo().FileName); err == nil {
					info.Disks = append(info.Disks, p)
					if parents := diskParents(dev.Backing); len(parents) > 0 {
						if info.Parents == nil {
							info.Parents = map[DatastorePath][]DatastorePath{}
						}
						info.Parents[p] = parents
					}
				}
			}
		case *types.VirtualCdrom:
			if b, ok := dev.Backing.(*types.VirtualCdromIsoBackingInfo); ok && b.FileName != "" {
				if p, err := ParseDatastorePath(b.FileName); err == nil {
					info.CDROM = &p
				}
			}
		case types.BaseVirtualEthernetCard:
			card := dev.GetVirtualEthernetCard()
			nic := NICInfo{MAC: card.MacAddress, AddressType: card.AddressType, Adapter: adapterOf(d)}
			if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
				nic.PortGroup = b.DeviceName
			}
			info.NICs = append(info.NICs, nic)
		}
	}
	return info
}

func adapterOf(d types.BaseVirtualDevice) NICAdapter {
	switch d.(type) {
	case *types.VirtualE1000:
		return E1000
	case *types.VirtualVmxnet3:
		return VMXNET3
	}
	return NICAdapter(strings.TrimPrefix(strings.ToLower(fmt.Sprintf("%T", d)), "*types.virtual"))
}

// DestroyVM implements VMs.
func (c *Client) DestroyVM(ctx context.Context, name string) error {
	const op = "destroy vm"
	vm, err := c.findVM(ctx, op, name)
	if errors.Is(err, ErrNotFound) {
		return c.deleteFolderIfAny(ctx, name)
	}
	if err != nil {
		return err
	}
	var m mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"runtime.powerState", "config.files.vmPathName"}, &m); err != nil {
		if errors.Is(wrapErr(op, name, err), ErrNotFound) {
			return c.deleteFolderIfAny(ctx, name)
		}
		return wrapErr(op, name, err)
	}
	if m.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		if err := c.runTask(ctx, "power off", name, func() (*object.Task, error) { return vm.PowerOff(ctx) }); err != nil && !errors.Is(err, ErrInvalidPowerState) {
			return err
		}
	}
	if err := c.runTask(ctx, op, name, func() (*object.Task, error) { return vm.Destroy(ctx) }); err != nil {
		if !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	if m.Config != nil {
		if p, err := ParseDatastorePath(m.Config.Files.VmPathName); err == nil && p.Datastore == c.cfg.Datastore {
			if err := c.Delete(ctx, p.Dir()); err != nil && !errors.Is(err, ErrNotFound) {
				return wrapErr(op, name, err)
			}
			return nil
		}
	}
	return c.deleteFolderIfAny(ctx, name)
}

func (c *Client) deleteFolderIfAny(ctx context.Context, name string) error {
	if err := ValidateID(name); err != nil {
		return &OpError{Op: "destroy vm", Object: name, Err: err}
	}
	err := c.Delete(ctx, DatastorePath{Datastore: c.cfg.Datastore, Path: name})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return wrapErr("destroy vm", name, err)
	}
	return nil
}

// runTask starts a task with start and waits for it.
func (c *Client) runTask(ctx context.Context, op, object string, start func() (*object.Task, error)) error {
	task, err := start()
	if err != nil {
		return wrapErr(op, object, err)
	}
	if _, err := task.WaitForResult(ctx, nil); err != nil {
		return wrapErr(op, object, err)
	}
	return nil
}

// vmDevices returns the VM's devices.
func (c *Client) vmDevices(ctx context.Context, op, name string) (*object.VirtualMachine, object.VirtualDeviceList, error) {
	vm, err := c.findVM(ctx, op, name)
	if err != nil {
		return nil, nil, err
	}
	devices, err := vm.Device(ctx)
	if err != nil {
		return nil, nil, wrapErr(op, name, err)
	}
	return vm, devices, nil
}

// reconfigure applies device changes to the VM.
func (c *Client) reconfigure(ctx context.Context, op, name string, vm *object.VirtualMachine, changes ...types.BaseVirtualDeviceConfigSpec) error {
	return c.runTask(ctx, op, name, func() (*object.Task, error) {
		return vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{DeviceChange: changes})
	})
}
