// Package esxitest runs vcsim, govmomi's ESXi simulator, shaped like a
// freshly installed ESXi host for tests and embedded defaults: ESX mode,
// datacenter "ha-datacenter", one datastore "datastore1" backed by a local
// directory, the "VM Network" port group, and no VMs.
//
// New(t) starts one per test and removes it at cleanup; Start does the
// same without a testing.T (for example programs). The Env hands back an
// esxi.Config (TLS pinned to the simulator's certificate), the datastore's
// directory on local disk so tests can check what is really there, and
// hooks to inject faults: fail a method once or N times, delay a method,
// cut an HTTP upload after N bytes, stall a transfer, and terminate the
// client's sessions.
// LastRequest shows what the client asked where the simulator does not
// act on it.
//
// NewVCenter(t) (StartVCenter) is the vCenter mode: simulator.VPX() with
// one cluster of two ESXi hosts sharing datastore1. Config places VMs on
// the first host, HostConfig and ConnectHost on any. Each host answers
// datastore transfers on an HTTPS server of its own that takes only
// vCenter's generic service tickets (vcsim has none: its hosts'
// addresses lead nowhere, and it checks no ticket); Transfers records
// which server each /folder request reached, UnreachableHost and StopHost
// cut a host off for fallback tests.
//
// Where vcsim differs from a real host in ways that break tests, the Env
// smooths it over; each place, what vcsim gets wrong there and why:
//   - Datastore files (/folder) are served by the Env from DatastoreDir:
//     vcsim's own handler copies its Datastore object without the lock on
//     every request, which races (go test -race) with a concurrent
//     CreateVM adding the VM to that object. Sequential use is fine.
//   - Simulator tasks run one at a time (taskgate.go): vcsim runs each
//     task in a goroutine and some of its code reads objects unlocked
//     while a task adds or removes VMs, which -race reports.
//   - CopyVirtualDisk_Task runs without the client's destination spec:
//     with one, vcsim parses and rewrites every copied file as a
//     descriptor, the flat included, leaving a 163-byte text where the
//     data was (ESXi writes a thin copy). LastRequest keeps the spec.
//   - CopyVirtualDisk_Task of a VM's delta child (a linked clone) copies
//     the chain's base (chain.go): vcsim does not model delta disks (a
//     child is an empty flat whose descriptor does not name its parent),
//     where ESXi's copy consolidates the chain into what the guest sees.
//   - ShutdownGuest can be made to do nothing (IgnoreShutdown), as a hung
//     guest would; vcsim always powers off.
//
// A test that must see stock vcsim, as integrators run it, uses
// simulator.ESX() directly (see hva's stock-vcsim lifecycle test): the
// linked-clone launch path needs none of the above.
//
// Where vcsim is laxer than a real host, the Env is as strict as the host,
// so that the client's handling of refusals is tested:
//   - Login succeeds only with Username and Password: vcsim takes any
//     non-empty pair; a wrong one gets ESXi's InvalidLogin fault.
//   - Datastore transfers (/folder) need the cookie of a live session:
//     vcsim's handler ignores it; without one, or after the session was
//     terminated or expired, the answer is ESXi's 401 Unauthorized.
package esxitest
