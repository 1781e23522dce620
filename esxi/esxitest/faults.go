package esxitest

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// countedFault is a pending transfer fault (a cut upload, a stall) and
// the byte count it strikes after.
type countedFault struct {
	after     int64
	remaining int // transfers still to strike; -1: every one
}

// pend sets *slot (e.cut or e.stall) to strike the next times transfers
// after bytes.
func (e *Env) pend(slot **countedFault, after int64, times int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*slot = &countedFault{after: after, remaining: times}
}

// take uses f once, with e.mu held, and returns its byte count, or -1
// when no fault is pending.
func (f *countedFault) take() int64 {
	if f == nil || f.remaining == 0 {
		return -1
	}
	if f.remaining > 0 {
		f.remaining--
	}
	return f.after
}

type methodFault struct {
	remaining int // -1: forever
	fault     types.BaseMethodFault
}

// handle runs before every SOAP method the simulator serves: it counts
// calls and applies the delays and faults tests asked for.
func (e *Env) handle(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	// The simulator looks the target up again after this hook, by
	// m.This: pointing it at deafGuest swaps the implementation.
	l, isLogin := m.Body.(*types.Login)
	if isLogin && l.UserName == adminUser {
		return nil, nil
	}
	e.mu.Lock()
	e.calls[m.Name]++
	e.last[m.Name] = m.Body
	if req, ok := m.Body.(*types.CopyVirtualDisk_Task); ok && req.DestSpec != nil {
		// vcsim applies a destination spec by parsing and rewriting
		// every copied file as a descriptor, the flat included, which
		// leaves a 163-byte text where the data was. The client's spec
		// is kept for LastRequest; the simulator copies without it.
		kept := *req
		e.last[m.Name] = &kept
		req.DestSpec = nil
	}
	if req, ok := m.Body.(*types.CopyVirtualDisk_Task); ok {
		if base := chainBase(ctx, req.SourceName); base != "" {
			req.SourceName = base // see chainBase
		}
	}
	delay := e.delays[m.Name]
	var fault types.BaseMethodFault
	if f := e.faults[m.Name]; f != nil && f.remaining != 0 {
		fault = f.fault
		if f.remaining > 0 {
			f.remaining--
		}
	}
	deaf := e.ignoreShutdown && m.Name == "ShutdownGuest"
	e.mu.Unlock()
	if fault == nil && isLogin {
		fault = checkLogin(l)
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	if fault == nil && deaf {
		m.This = deafGuestRef
	}
	return e.override(m), fault
}

// Calls returns how many times method (a SOAP method name such as
// "Login" or "CreateVM_Task") was called since the last ResetCalls. The
// harness's own calls are not counted.
func (e *Env) Calls(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method]
}

// ResetCalls sets every call count to zero and forgets the requests.
func (e *Env) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = map[string]int{}
	e.last = map[string]any{}
	e.transfers = nil
}

// LastRequest returns the body of the last call of method since
// ResetCalls (a *types.CopyVirtualDisk_Task for "CopyVirtualDisk_Task",
// say), or nil: for tests of what the client asks that the simulator
// does not act on.
func (e *Env) LastRequest(method string) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last[method]
}

// FailMethod makes the next times calls of method fail with fault (a
// generic SystemError when nil); times < 0 fails every call until
// ClearFaults.
func (e *Env) FailMethod(method string, times int, fault types.BaseMethodFault) {
	if fault == nil {
		fault = &types.SystemError{RuntimeFault: types.RuntimeFault{}, Reason: "injected by esxitest"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults[method] = &methodFault{remaining: times, fault: fault}
}

// DelayMethod delays every call of method by d (0 removes the delay).
func (e *Env) DelayMethod(method string, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.delays[method] = d
}

// ClearFaults removes every fault, delay and upload cut.
func (e *Env) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = map[string]*methodFault{}
	e.delays = map[string]time.Duration{}
	e.cut = nil
	e.stall = nil
	e.ignoreShutdown = false
}

// TerminateSessions ends every client session but the harness's own, as
// an administrator or an expiry would. Clients see NotAuthenticated on
// their next call.
func (e *Env) TerminateSessions(ctx context.Context) error {
	var sm mo.SessionManager
	pc := e.admin.PropertyCollector()
	ref := *e.admin.ServiceContent.SessionManager
	if err := pc.RetrieveOne(ctx, ref, []string{"sessionList", "currentSession"}, &sm); err != nil {
		return err
	}
	var keys []string
	for _, s := range sm.SessionList {
		if s.UserName != adminUser && (sm.CurrentSession == nil || s.Key != sm.CurrentSession.Key) {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := methods.TerminateSession(ctx, e.admin.Client, &types.TerminateSession{This: ref, SessionId: keys})
	return err
}

// SetToolsRunning marks VMware Tools as running (or not) in the named VM,
// which decides whether RebootGuest works.
func (e *Env) SetToolsRunning(ctx context.Context, vmName string, running bool) error {
	f := e.finder()
	vm, err := f.VirtualMachine(ctx, vmName)
	if err != nil {
		return err
	}
	status := types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
	if running {
		status = types.VirtualMachineToolsRunningStatusGuestToolsRunning
	}
	sctx := e.model.Service.Context
	obj := sctx.Map.Get(vm.Reference())
	if obj == nil {
		return fmt.Errorf("vm %s not in the simulator's registry", vmName)
	}
	sctx.WithLock(obj, func() {
		sctx.Map.Update(sctx, obj, []types.PropertyChange{{Name: "guest.toolsRunningStatus", Val: string(status)}})
	})
	return nil
}

// IgnoreShutdown makes the guests ignore (true) or obey (false, the
// default) ShutdownGuest: the request succeeds but the VM stays on, as
// with a hung guest. Tests use it to exercise soft power-off timeouts.
func (e *Env) IgnoreShutdown(ignore bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ignoreShutdown = ignore
}

// deafGuestRef names the object that stands in for a hung guest.
var deafGuestRef = types.ManagedObjectReference{Type: "VirtualMachine", Value: "esxitest-deaf-guest"}

// deafGuest answers ShutdownGuest without doing anything.
type deafGuest struct{ mo.VirtualMachine }

// ShutdownGuest is called by the simulator by reflection.
func (*deafGuest) ShutdownGuest(*simulator.Context, *types.ShutdownGuest) soap.HasFault {
	return &methods.ShutdownGuestBody{Res: &types.ShutdownGuestResponse{}}
}
