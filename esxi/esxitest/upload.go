package esxitest

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// CutUploads makes the next times datastore uploads (HTTP PUT /folder)
// stop after the server has read after bytes: those bytes are written to
// the file, as a real host leaves a partial file, and the connection is
// dropped without an answer. times < 0 cuts every upload until
// ClearFaults.
func (e *Env) CutUploads(after int64, times int) { e.pend(&e.cut, after, times) }

// Uploads reports how many datastore uploads the simulator received.
func (e *Env) Uploads() int { return e.Calls("PUT /folder") }

// serveFolder serves the datastore's files over HTTP (/folder/<path>?
// dsName=...&dcPath=...) as ESXi and vcsim do, from DatastoreDir, without
// touching the simulator's objects: vcsim's own handler copies its
// Datastore object unlocked on every request, which races (go test -race)
// with a concurrent CreateVM adding the VM to that object.
func (e *Env) serveFolder(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if ds := q.Get("dsName"); ds != "" && ds != Datastore {
		http.NotFound(w, r)
		return
	}
	rel := strings.TrimPrefix(r.URL.Path, "/folder/")
	if strings.Contains(rel, "..") {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p := filepath.Join(e.DatastoreDir, filepath.FromSlash(rel))
	switch r.Method {
	case http.MethodPost:
		if _, err := os.Stat(p); err == nil {
			w.WriteHeader(http.StatusConflict)
			return
		}
		fallthrough
	case http.MethodPut:
		_ = os.MkdirAll(filepath.Dir(p), 0o700)
		f, err := os.Create(p)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, r.Body)
	default:
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rel
		http.FileServer(http.Dir(e.DatastoreDir)).ServeHTTP(w, r2)
	}
}

// serveTransfer serves a GET, HEAD or POST on /folder: the session
// check, a stall if one is pending, then the file.
func (e *Env) serveTransfer(w http.ResponseWriter, r *http.Request) {
	if !e.authorized(w, r) {
		return
	}
	if after := e.takeStall(); after >= 0 {
		e.stallDownload(w, r, after)
		return
	}
	e.serveFolder(w, r)
}

func (e *Env) serveUpload(w http.ResponseWriter, r *http.Request) {
	if !e.authorized(w, r) {
		return
	}
	if after := e.takeStall(); after >= 0 {
		e.stallUpload(w, r, after)
		return
	}
	e.mu.Lock()
	e.calls["PUT /folder"]++
	after := e.cut.take()
	e.mu.Unlock()
	if after < 0 {
		e.serveFolder(w, r)
		return
	}
	r.Body = io.NopCloser(io.LimitReader(r.Body, after))
	e.serveFolder(discard{h: http.Header{}}, r)
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "upload cut by esxitest", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// discard is a ResponseWriter that drops the answer.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}
