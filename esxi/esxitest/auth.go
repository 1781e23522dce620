package esxitest

import (
	"net/http"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// checkLogin refuses a Login whose credentials are not Username and
// Password, with the InvalidLogin fault a real host answers (vcsim takes
// any non-empty pair).
func checkLogin(l *types.Login) types.BaseMethodFault {
	if l.UserName == Username && l.Password == Password {
		return nil
	}
	return &types.InvalidLogin{}
}

// liveSession reports whether key is the key of a session the simulator
// holds (not logged out, terminated or expired).
func (e *Env) liveSession(key string) bool {
	if key == "" || e.model == nil {
		return false
	}
	reg := e.model.Map()
	// A session's view of the SessionManager lists every session; a
	// throw-away Session reads it in process, without a SOAP call that
	// would show in Calls.
	view := simulator.Session{Registry: simulator.NewRegistry(), Map: reg}
	sm, ok := view.Get(reg.SessionManager().Self).(*simulator.SessionManager)
	if !ok {
		return false
	}
	for _, s := range sm.SessionList {
		if s.Key == key {
			return true
		}
	}
	return false
}

// authorized answers 401 Unauthorized, as ESXi does, to a datastore
// transfer (/folder) without the cookie of a live session, and reports
// whether the request may go on. A request an ESXi host of vCenter mode
// let in with a service ticket needs no session.
func (e *Env) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Context().Value(ticketAuth{}) != nil { // a host's ticket (vcenter.go)
		return true
	}
	c, err := r.Cookie(soap.SessionCookieName)
	if err == nil && e.liveSession(c.Value) {
		return true
	}
	e.mu.Lock()
	e.calls["401 /folder"]++
	e.mu.Unlock()
	w.Header().Set("WWW-Authenticate", `Basic realm="VMware HTTP server"`)
	http.Error(w, "Unauthorized", http.StatusUnauthorized)
	return false
}
