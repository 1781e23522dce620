package esxitest

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// taskGate keeps vcsim's own data races out of go test -race. vcsim runs
// each task in a goroutine of its own, and some code reads objects
// without their lock (Datastore.resolve copies a Datastore,
// SearchIndex.FindChild walks a folder's children) while a task adds or
// removes VMs on them (CreateVM, Destroy). The gate lets a *_Task request
// in alone and only when no task is running, and other requests only
// while no task runs (many at once); PropertyCollector requests, which
// vcsim locks properly and which clients use to wait for tasks, always
// pass. Clients still overlap on the wire; only vcsim's work is ordered.
type taskGate struct {
	self types.ManagedObjectReference

	mu       sync.Mutex
	changed  *sync.Cond
	inflight map[types.ManagedObjectReference]bool // running tasks
	readers  int                                   // non-task requests being served
	writer   bool                                  // a task request being served
	waiting  int                                   // task requests waiting (they go first)
}

func newTaskGate() *taskGate {
	g := &taskGate{
		self:     types.ManagedObjectReference{Type: "EsxitestTaskGate", Value: "taskgate-1"},
		inflight: map[types.ManagedObjectReference]bool{},
	}
	g.changed = sync.NewCond(&g.mu)
	return g
}

// Reference implements simulator.RegisterObject.
func (g *taskGate) Reference() types.ManagedObjectReference { return g.self }

// PutObject notes a new task.
func (g *taskGate) PutObject(_ *simulator.Context, obj mo.Reference) {
	if ref := obj.Reference(); ref.Type == "Task" {
		g.mu.Lock()
		g.inflight[ref] = true
		g.mu.Unlock()
	}
}

// UpdateObject notes a task's end.
func (g *taskGate) UpdateObject(_ *simulator.Context, obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "Task" {
		return
	}
	for _, c := range changes {
		if c.Name != "info.state" {
			continue
		}
		if st, ok := c.Val.(types.TaskInfoState); ok && (st == types.TaskInfoStateSuccess || st == types.TaskInfoStateError) {
			g.done(ref)
		}
	}
}

// RemoveObject forgets a task.
func (g *taskGate) RemoveObject(_ *simulator.Context, ref types.ManagedObjectReference) {
	if ref.Type == "Task" {
		g.done(ref)
	}
}

func (g *taskGate) done(ref types.ManagedObjectReference) {
	g.mu.Lock()
	delete(g.inflight, ref)
	g.changed.Broadcast()
	g.mu.Unlock()
}

// propertyCollector lists the request elements that always pass.
var propertyCollector = [][]byte{
	[]byte("<WaitForUpdatesEx"), []byte("<WaitForUpdates"), []byte("<CheckForUpdates"),
	[]byte("<CancelWaitForUpdates"), []byte("<RetrievePropertiesEx"), []byte("<RetrieveProperties"),
	[]byte("<ContinueRetrievePropertiesEx"), []byte("<CancelRetrievePropertiesEx"),
	[]byte("<CreateFilter"), []byte("<DestroyPropertyFilter"),
	[]byte("<CreatePropertyCollector"), []byte("<DestroyPropertyCollector"),
}

// wrap serves SOAP requests through next under the gate's rules.
func (g *taskGate) wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		for _, m := range propertyCollector {
			if bytes.Contains(body, m) {
				next(w, r)
				return
			}
		}
		task := bytes.Contains(body, []byte("_Task ")) || bytes.Contains(body, []byte("_Task>"))
		g.mu.Lock()
		if task {
			g.waiting++
			for len(g.inflight) > 0 || g.writer || g.readers > 0 {
				g.changed.Wait()
			}
			g.waiting--
			g.writer = true
		} else {
			for len(g.inflight) > 0 || g.writer || g.waiting > 0 {
				g.changed.Wait()
			}
			g.readers++
		}
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			if task {
				g.writer = false
			} else {
				g.readers--
			}
			g.changed.Broadcast()
			g.mu.Unlock()
		}()
		next(w, r)
	}
}
