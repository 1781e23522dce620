package image

import (
	"context"
	"errors"
	"sync"
)

// sourceError marks a failure of the image source (unreachable, refusing,
// serving a wrong descriptor or wrong bytes), as opposed to one of the
// datastore or of the caller's context: another source of the same md5
// may do better.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// fromSource marks err (nil stays nil) as the source's.
func fromSource(err error) error {
	if err == nil {
		return nil
	}
	return &sourceError{err}
}

func isSourceError(err error) bool {
	var se *sourceError
	return errors.As(err, &se)
}

// flight is one fetch of an md5 shared by every caller of this Cache that
// asks for it meanwhile. It runs on a context of its own, cancelled when the
// last waiting caller gives up (that caller then waits for the clean-up).
type flight struct {
	uri    string // the source fetched from: the first caller's
	done   chan struct{}
	entry  Entry
	err    error
	cancel context.CancelFunc

	// guarded by Cache.mu
	waiters   int
	cancelled bool

	pmu   sync.Mutex
	progs map[int]ProgressFunc
	next  int
}

func (f *flight) report(p Progress) {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	for _, fn := range f.progs {
		fn(p)
	}
}

func (f *flight) addProg(fn ProgressFunc) int {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	f.next++
	if fn != nil {
		f.progs[f.next] = fn
	}
	return f.next
}

func (f *flight) removeProg(id int) {
	f.pmu.Lock()
	defer f.pmu.Unlock()
	delete(f.progs, id)
}

// join runs fetch (from the source uri) once per md5 at a time and waits
// for its result; it returns the source that the fetch it waited for used.
// With own, it does not share a fetch from another source: it waits for
// one to end (returning its entry if it succeeded) and then fetches from
// uri.
func (c *Cache) join(ctx context.Context, sum, uri string, own bool, progress ProgressFunc, fetch func(context.Context, ProgressFunc) (Entry, error)) (Entry, string, error) {
	c.mu.Lock()
	for own {
		f := c.flights[sum]
		if f == nil || f.cancelled || f.uri == uri {
			break
		}
		c.mu.Unlock()
		select {
		case <-f.done:
			if f.err == nil {
				return f.entry, f.uri, nil
			}
		case <-ctx.Done():
			return Entry{}, "", context.Cause(ctx)
		}
		c.mu.Lock()
	}
	f := c.flights[sum]
	if f == nil || f.cancelled {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{uri: uri, done: make(chan struct{}), cancel: cancel, progs: map[int]ProgressFunc{}}
		c.flights[sum] = f
		c.inUse[sum]++ // an entry being fetched is in use
		go func() {
			defer cancel()
			e, err := fetch(fctx, f.report)
			c.mu.Lock()
			if c.flights[sum] == f {
				delete(c.flights, sum)
			}
			if c.inUse[sum]--; c.inUse[sum] <= 0 {
				delete(c.inUse, sum)
			}
			f.entry, f.err = e, err
			c.mu.Unlock()
			close(f.done)
		}()
	}
	f.waiters++
	id := f.addProg(progress)
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.entry, f.uri, f.err
	case <-ctx.Done():
	}
	f.removeProg(id)
	c.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	if last {
		f.cancelled = true
		f.cancel()
	}
	c.mu.Unlock()
	if last {
		<-f.done // the fetch cleans up before the last caller returns
	}
	return Entry{}, f.uri, context.Cause(ctx)
}
