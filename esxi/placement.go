package esxi

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// IsVCenter reports whether the client is connected to a vCenter (true)
// or to a bare ESXi host (false).
func (c *Client) IsVCenter() bool { return c.vim.IsVC() }

// Placement says where the client creates VMs: the inventory paths of the
// datacenter, ESXi host, resource pool and VM folder it resolved from
// Config. On a bare ESXi host Host is empty unless Config.HostSystem was
// set.
type Placement struct {
	Datacenter   string
	Host         string
	ResourcePool string
	VMFolder     string
	Datastore    string
}

// Placement returns where the client creates VMs.
func (c *Client) Placement() Placement {
	p := Placement{
		Datacenter:   c.dc.InventoryPath,
		ResourcePool: c.pool.InventoryPath,
		VMFolder:     c.vmFolder.InventoryPath,
		Datastore:    c.cfg.Datastore,
	}
	if c.host != nil {
		p.Host = c.host.InventoryPath
	}
	return p
}

// findDatacenter finds the configured datacenter. On a vCenter an empty
// Config.Datacenter means its only one; a bare ESXi host has only
// "ha-datacenter".
func (c *Client) findDatacenter(ctx context.Context, f *find.Finder) (*object.Datacenter, error) {
	if c.cfg.Datacenter == "" && c.vim.IsVC() {
		dc, err := f.DefaultDatacenter(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: the vCenter has several datacenters or none: set Datacenter (esxi_datacenter): %w", ErrInvalidConfig, err)
		}
		c.cfg.Datacenter = dc.Name()
		return dc, nil
	}
	dc, err := f.Datacenter(ctx, c.cfg.datacenter())
	if err != nil {
		var names []string
		if all, lerr := f.DatacenterList(ctx, "*"); lerr == nil {
			for _, d := range all {
				names = append(names, d.Name())
			}
		}
		if len(names) > 0 {
			// A vCenter's datacenters are not ESXi's "ha-datacenter",
			// which is hva.conf's default: say what to write instead.
			return nil, fmt.Errorf("%w: datacenter %q not found; the server has %s (set Datacenter, esxi_datacenter)", ErrInvalidConfig, c.cfg.datacenter(), quoteAll(names))
		}
		return nil, fmt.Errorf("%w: datacenter %q: %w", ErrInvalidConfig, c.cfg.datacenter(), err)
	}
	return dc, nil
}

// quoteAll lists names quoted and comma-separated.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// resolvePlacement finds the host, resource pool and VM folder that
// CreateVM uses. On a vCenter the VM is always created on one named host
// (never wherever DRS would put it): the host must exist, have the
// datastore mounted and the port group, and the pool must belong to the
// host's cluster (or standalone host).
func (c *Client) resolvePlacement(ctx context.Context, f *find.Finder, dcFolder *object.Folder) error {
	c.vmFolder = dcFolder
	if c.cfg.VMFolder != "" {
		folder, err := f.Folder(ctx, c.cfg.VMFolder)
		if err != nil {
			return fmt.Errorf("%w: VM folder %q not found (esxi_vm_folder)", ErrInvalidConfig, c.cfg.VMFolder)
		}
		var mf mo.Folder
		if err := folder.Properties(ctx, folder.Reference(), []string{"childType"}, &mf); err != nil {
			return wrapErr("find VM folder", c.cfg.VMFolder, err)
		}
		if !slices.Contains(mf.ChildType, "VirtualMachine") {
			return fmt.Errorf("%w: %q is not a VM folder (esxi_vm_folder)", ErrInvalidConfig, c.cfg.VMFolder)
		}
		c.vmFolder = folder
	}
	vc := c.vim.IsVC()
	switch {
	case c.cfg.HostSystem != "":
		h, err := f.HostSystem(ctx, c.cfg.HostSystem)
		if err != nil {
			return fmt.Errorf("%w: host system %q not found in %s (esxi_host_system)", ErrInvalidConfig, c.cfg.HostSystem, c.cfg.datacenter())
		}
		c.host = h
	case vc:
		h, err := f.DefaultHostSystem(ctx)
		if err != nil {
			return fmt.Errorf("%w: datacenter %s has several ESXi hosts: set HostSystem (esxi_host_system) to the one this agent drives", ErrInvalidConfig, c.cfg.datacenter())
		}
		c.host = h
	}
	if c.host != nil && vc {
		if err := c.checkHost(ctx); err != nil {
			return err
		}
	}
	switch {
	case c.cfg.ResourcePool != "":
		p, err := f.ResourcePool(ctx, c.cfg.ResourcePool)
		if err != nil {
			return fmt.Errorf("%w: resource pool %q not found (esxi_resource_pool)", ErrInvalidConfig, c.cfg.ResourcePool)
		}
		if c.host != nil && vc {
			if err := c.checkPoolOwner(ctx, p); err != nil {
				return err
			}
		}
		c.pool = p
	case c.host != nil:
		p, err := c.host.ResourcePool(ctx)
		if err != nil {
			return wrapErr("find resource pool", c.cfg.HostSystem, err)
		}
		c.pool = p
	default:
		p, err := f.DefaultResourcePool(ctx)
		if err != nil {
			return fmt.Errorf("%w: no default resource pool: set ResourcePool or HostSystem", ErrInvalidConfig)
		}
		c.pool = p
	}
	if c.pool.InventoryPath == "" {
		if p, err := find.InventoryPath(ctx, c.vim, c.pool.Reference()); err == nil {
			c.pool.InventoryPath = p
		}
	}
	if vc && c.host != nil {
		if err := c.resolveHostTransfer(ctx); err != nil {
			return err
		}
	}
	return nil
}

// checkHost refuses a host that does not have the datastore mounted or
// the port group: VMs created there could not use them.
func (c *Client) checkHost(ctx context.Context) error {
	var h mo.HostSystem
	if err := c.host.Properties(ctx, c.host.Reference(), []string{"datastore", "network"}, &h); err != nil {
		return wrapErr("check host", c.host.InventoryPath, err)
	}
	if !slices.Contains(h.Datastore, c.ds.Reference()) {
		return fmt.Errorf("%w: datastore %q is not mounted on host %s", ErrInvalidConfig, c.cfg.Datastore, c.host.InventoryPath)
	}
	pg, err := c.network(context.WithoutCancel(ctx), c.cfg.portGroup())
	if err != nil {
		return err
	}
	if !slices.Contains(h.Network, pg.Reference()) {
		return fmt.Errorf("%w: port group %q is not on host %s (esxi_portgroup)", ErrInvalidConfig, c.cfg.portGroup(), c.host.InventoryPath)
	}
	return nil
}

// checkPoolOwner refuses a resource pool of another cluster or host:
// vCenter would reject CreateVM there, or place the VM off the host.
func (c *Client) checkPoolOwner(ctx context.Context, p *object.ResourcePool) error {
	var rp mo.ResourcePool
	if err := p.Properties(ctx, p.Reference(), []string{"owner"}, &rp); err != nil {
		return wrapErr("check resource pool", c.cfg.ResourcePool, err)
	}
	var h mo.HostSystem
	if err := c.host.Properties(ctx, c.host.Reference(), []string{"parent"}, &h); err != nil {
		return wrapErr("check host", c.host.InventoryPath, err)
	}
	if h.Parent == nil || rp.Owner != *h.Parent {
		return fmt.Errorf("%w: resource pool %q is not in the cluster of host %s (esxi_resource_pool)", ErrInvalidConfig, c.cfg.ResourcePool, c.host.InventoryPath)
	}
	return nil
}

// powerOnHere powers vm on. On a vCenter it names the placement host, so
// that DRS does not start the VM elsewhere (and a VM moved off the host
// while off comes back to it): Wakame knows the instance by this agent's
// host node. Its parameters are in the order of the method expressions
// powerTask takes.
func (c *Client) powerOnHere(vm *object.VirtualMachine, ctx context.Context) (*object.Task, error) {
	if c.host == nil || !c.vim.IsVC() {
		return vm.PowerOn(ctx)
	}
	ref := c.host.Reference()
	res, err := methods.PowerOnVM_Task(ctx, c.vim, &types.PowerOnVM_Task{This: vm.Reference(), Host: &ref})
	if err != nil {
		return nil, err
	}
	return object.NewTask(c.vim, res.Returnval), nil
}
