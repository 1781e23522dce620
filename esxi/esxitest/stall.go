package esxitest

import (
	"io"
	"net/http"
	"strconv"
)

// StallTransfers makes the next times datastore transfers (HTTP GET or
// PUT on /folder) stall as a hung host does: a download sends its headers
// and at most after bytes, an upload reads after bytes, and then nothing
// more happens until the client gives up. times < 0 stalls every transfer
// until ClearFaults.
func (e *Env) StallTransfers(after int64, times int) { e.pend(&e.stall, after, times) }

// takeStall consumes one pending stall and returns its byte count, or -1.
func (e *Env) takeStall() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	after := e.stall.take()
	if after >= 0 {
		e.calls["stalled /folder"]++
	}
	return after
}

// stallDownload sends the headers and after bytes of zeros, then waits
// for the client to leave.
func (e *Env) stallDownload(w http.ResponseWriter, r *http.Request, after int64) {
	w.Header().Set("Content-Length", strconv.FormatInt(after+1<<20, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = io.CopyN(w, zeros{}, after)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	<-r.Context().Done()
}

// stallUpload reads after bytes of the body, then neither reads more
// nor answers. The server would not notice the client leaving while the
// body is unread, so the connection is taken over and held until the Env
// closes.
func (e *Env) stallUpload(w http.ResponseWriter, r *http.Request, after int64) {
	_, _ = io.CopyN(io.Discard, r.Body, after)
	hj, ok := w.(http.Hijacker)
	if !ok {
		<-r.Context().Done()
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	<-e.done
	_ = conn.Close()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
