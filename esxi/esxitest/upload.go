package esxitest

import (
	"io"
	"net"
	"net/http"
)

// uploadCut is a pending "cut the next uploads after N bytes" fault.
type uploadCut struct {
	after     int64
	remaining int // uploads still to cut; -1: every one
}

// CutUploads makes the next times datastore uploads (HTTP PUT /folder)
// stop after the server has read after bytes: those bytes are written to
// the file, as a real host leaves a partial file, and the connection is
// dropped without an answer. times < 0 cuts every upload until
// ClearFaults.
func (e *Env) CutUploads(after int64, times int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cut = &uploadCut{after: after, remaining: times}
}

// Uploads reports how many datastore uploads the simulator received.
func (e *Env) Uploads() int { return e.Calls("PUT /folder") }

func (e *Env) serveUpload(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.calls["PUT /folder"]++
	var after int64 = -1
	if c := e.cut; c != nil && c.remaining != 0 {
		after = c.after
		if c.remaining > 0 {
			c.remaining--
		}
	}
	srv := e.model.Service
	e.mu.Unlock()
	if after < 0 {
		srv.ServeDatastore(w, r)
		return
	}
	r.Body = io.NopCloser(io.LimitReader(r.Body, after))
	srv.ServeDatastore(discard{h: http.Header{}}, r)
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
