package esxitest

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// chainBase returns the root of the disk chain whose top is the disk
// file name attached to a VM, or "" when name is no VM's delta child.
//
// vcsim does not model delta disks: a child created over a parent is an
// empty flat of the parent's capacity whose descriptor does not name the
// parent, so copying it gives an empty disk where ESXi's CopyVirtualDisk
// consolidates the chain into one standalone disk (what the guest sees).
// No guest writes on vcsim, so what the guest sees is the base: the Env
// copies that instead.
func chainBase(ctx *simulator.Context, name string) string {
	if ctx == nil || ctx.Map == nil {
		return ""
	}
	var base string
	for _, obj := range ctx.Map.All("VirtualMachine") {
		vm, ok := obj.(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		ctx.WithLock(vm, func() {
			if vm.Config == nil {
				return
			}
			for _, d := range vm.Config.Hardware.Device {
				disk, ok := d.(*types.VirtualDisk)
				if !ok {
					continue
				}
				b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
				if !ok || b.FileName != name || b.Parent == nil {
					continue
				}
				for b.Parent != nil {
					b = b.Parent
				}
				base = b.FileName
			}
		})
		if base != "" {
			return base
		}
	}
	return ""
}
