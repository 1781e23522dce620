package esxi

import (
	"context"
	"errors"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// PowerOn implements VMs.
func (c *Client) PowerOn(ctx context.Context, name string) error {
	return c.powerTask(ctx, "power on", name, c.powerOnHere)
}

// PowerOff implements VMs.
func (c *Client) PowerOff(ctx context.Context, name string) error {
	return c.powerTask(ctx, "power off", name, (*object.VirtualMachine).PowerOff)
}

// Reset implements VMs.
func (c *Client) Reset(ctx context.Context, name string) error {
	return c.powerTask(ctx, "reset", name, (*object.VirtualMachine).Reset)
}

func (c *Client) powerTask(ctx context.Context, op, name string, start func(*object.VirtualMachine, context.Context) (*object.Task, error)) error {
	vm, err := c.findVM(ctx, op, name)
	if err != nil {
		return err
	}
	return c.runTask(ctx, op, name, func() (*object.Task, error) { return start(vm, ctx) })
}

// PowerState implements VMs.
func (c *Client) PowerState(ctx context.Context, name string) (PowerState, error) {
	vm, err := c.findVM(ctx, "power state", name)
	if err != nil {
		return "", err
	}
	st, err := vm.PowerState(ctx)
	if err != nil {
		return "", wrapErr("power state", name, err)
	}
	return PowerState(st), nil
}

// toolsRunning reports whether VMware Tools run in the guest.
func toolsRunning(ctx context.Context, vm *object.VirtualMachine) (bool, error) {
	var m mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"guest.toolsRunningStatus"}, &m); err != nil {
		return false, err
	}
	return m.Guest != nil && m.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning), nil
}

// Reboot implements VMs: RebootGuest when VMware Tools run, else Reset.
func (c *Client) Reboot(ctx context.Context, name string) error {
	const op = "reboot"
	vm, err := c.findVM(ctx, op, name)
	if err != nil {
		return err
	}
	tools, err := toolsRunning(ctx, vm)
	if err != nil {
		return wrapErr(op, name, err)
	}
	if tools {
		err := vm.RebootGuest(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(wrapErr(op, name, err), ErrToolsUnavailable) {
			return wrapErr(op, name, err)
		}
		c.log.Info("guest reboot unavailable; resetting", "vm", name)
	}
	return c.runTask(ctx, op, name, func() (*object.Task, error) { return vm.Reset(ctx) })
}

// SoftPowerOff implements VMs: ShutdownGuest, wait up to timeout for the
// VM to be off, then power it off hard.
func (c *Client) SoftPowerOff(ctx context.Context, name string, timeout time.Duration) (bool, error) {
	const op = "soft power off"
	vm, err := c.findVM(ctx, op, name)
	if err != nil {
		return false, err
	}
	st, err := vm.PowerState(ctx)
	if err != nil {
		return false, wrapErr(op, name, err)
	}
	if st == types.VirtualMachinePowerStatePoweredOff {
		return false, errorf(op, name, ErrInvalidPowerState, "the VM is already powered off")
	}
	if err := vm.ShutdownGuest(ctx); err != nil {
		werr := wrapErr(op, name, err)
		if !errors.Is(werr, ErrToolsUnavailable) && !errors.Is(werr, ErrInvalidPowerState) {
			return false, werr
		}
		c.log.Info("guest shutdown unavailable; powering off", "vm", name, "err", err)
	} else {
		wctx, cancel := context.WithTimeout(ctx, timeout)
		err := vm.WaitForPowerState(wctx, types.VirtualMachinePowerStatePoweredOff)
		cancel()
		if err == nil {
			return false, nil
		}
		if ctx.Err() != nil {
			return false, wrapErr(op, name, ctx.Err())
		}
		c.log.Info("guest did not shut down in time; powering off", "vm", name, "timeout", timeout)
	}
	err = c.runTask(ctx, op, name, func() (*object.Task, error) { return vm.PowerOff(ctx) })
	if errors.Is(err, ErrInvalidPowerState) {
		// It went off on its own between the wait and the power-off.
		if st, serr := vm.PowerState(ctx); serr == nil && st == types.VirtualMachinePowerStatePoweredOff {
			return false, nil
		}
	}
	if err != nil {
		return true, err
	}
	return true, nil
}
