package imagetest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// PutServer is an HTTP PUT target such as a WebDAV backup storage: it
// keeps each PUT body by its path and serves it back to GET, so that a
// pair put there can be deployed again. It can be told to refuse puts.
type PutServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	files  map[string][]byte
	status int // refuse every put with this status when not 0
	failN  int // refuse the next failN puts with failAs
	failAs int
}

// NewPutServer starts a PutServer, closed when t ends.
func NewPutServer(t testing.TB) *PutServer {
	p := &PutServer{files: map[string][]byte{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the server's base URL, without a trailing slash.
func (p *PutServer) URL() string { return p.srv.URL }

// File returns what was put at path (e.g. "/images/x-flat.vmdk"), or nil.
func (p *PutServer) File(path string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.files[path]
}

// Refuse answers every later put with status (0 accepts them again).
func (p *PutServer) Refuse(status int) {
	p.mu.Lock()
	p.status = status
	p.mu.Unlock()
}

// RefuseNext answers the next n puts with status.
func (p *PutServer) RefuseNext(n, status int) {
	p.mu.Lock()
	p.failN, p.failAs = n, status
	p.mu.Unlock()
}

// refusal returns the status the next put gets, 0 to accept it.
func (p *PutServer) refusal() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failN > 0 {
		p.failN--
		return p.failAs
	}
	return p.status
}

func (p *PutServer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		b := p.File(r.URL.Path)
		if b == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	case http.MethodPut:
		if status := p.refusal(); status != 0 {
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, http.StatusText(status), status)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.files[r.URL.Path] = b
		p.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	default:
		http.Error(w, "PUT or GET only", http.StatusMethodNotAllowed)
	}
}
