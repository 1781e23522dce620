package registrytest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/registry"
)

// Server is a running fake of dcmgr's Web API.
type Server struct {
	// URL is the API's base URL, ".../api/12.03/", for registry.NewClient.
	URL string

	srv *httptest.Server
	now func() time.Time

	mu         sync.Mutex
	seq        int
	hosts      []*record[registry.HostNode]
	storages   []*record[registry.BackupStorage]
	objects    []*record[registry.BackupObject]
	images     []*record[registry.Image]
	nodeStates map[string]string
	faults     []*fault
	requests   []Request
}

type fault struct {
	method, path string
	status       int
	times        int
}

// Request is what the fake saw of one request.
type Request struct {
	Method string
	// Path is relative to URL, e.g. "host_nodes/hn-esxi1".
	Path string
	// Account is the X-VDC-Account-UUID header ("" when absent).
	Account string
	// Form holds the query and form-encoded body parameters.
	Form url.Values
	// ContentType is the request's Content-Type header.
	ContentType string
}

// Start serves a new empty fake; Close stops it.
func Start() *Server {
	s := &Server{nodeStates: map[string]string{}, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
	mux := http.NewServeMux()
	s.routes(mux)
	s.srv = httptest.NewServer(s.middleware(mux))
	s.URL = s.srv.URL + registry.DefaultAPIPath
	return s
}

// New starts a fake that is closed when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetNodeState sets Isono's state of a node ("online", "timeout", ...), which
// host documents show as status; "" removes the node (status "offline").
func (s *Server) SetNodeState(nodeID, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == "" {
		delete(s.nodeStates, nodeID)
		return
	}
	s.nodeStates[nodeID] = state
}

// Fail makes the next `times` requests whose method is method and whose
// path (relative to URL, e.g. "host_nodes") starts with path answer status
// with a dcmgr-style error body (a text body for 5xx).
func (s *Server) Fail(method, path string, status, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: path, status: status, times: times})
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// HostNodes returns the stored host nodes, oldest first, with status.
func (s *Server) HostNodes() []registry.HostNode { return hostKind.values(s) }

// BackupStorages returns the stored backup storages, oldest first.
func (s *Server) BackupStorages() []registry.BackupStorage { return storageKind.values(s) }

// BackupObjects returns the stored backup objects, oldest first.
func (s *Server) BackupObjects() []registry.BackupObject { return objectKind.values(s) }

// Images returns the stored images, oldest first.
func (s *Server) Images() []registry.Image { return imageKind.values(s) }

// AddImage stores an image as `vdc-manage image add` would (the API has no
// POST /images). Empty UUID, State, timestamps and FileFormat are filled
// in; the stored image is returned.
func (s *Server) AddImage(im registry.Image) registry.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := strings.TrimPrefix(im.UUID, registry.PrefixImage+"-")
	if u == "" {
		u = newUUID()
	}
	im.UUID = registry.Canonical(registry.PrefixImage, u)
	im.ID = im.UUID
	if im.State == "" {
		im.State = "available"
	}
	if im.FileFormat == "" {
		im.FileFormat = "raw"
	}
	if im.ServiceType == "" {
		im.ServiceType = registry.DefaultServiceType
	}
	if im.OSType == "" {
		im.OSType = "linux"
	}
	if im.BootDevType == 0 {
		im.BootDevType = 2
	}
	if im.CreatedAt.IsZero() {
		im.CreatedAt = registry.Time{Time: s.now()}
		im.UpdatedAt = im.CreatedAt
	}
	imageKind.add(s, im)
	return im
}

const uuidAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func newUUID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = uuidAlphabet[int(b[i])%len(uuidAlphabet)]
	}
	return string(b)
}

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// dcmgr strips a format suffix (.json) from the path.
		r.URL.Path = strings.TrimSuffix(r.URL.Path, ".json")
		rel := strings.TrimPrefix(r.URL.Path, registry.DefaultAPIPath)
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "", "", "Invalid request body.")
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: rel, Account: r.Header.Get(registry.AccountHeader),
			Form: r.Form, ContentType: r.Header.Get("Content-Type")})
		var hit *fault
		for _, f := range s.faults {
			if f.times > 0 && f.method == r.Method && strings.HasPrefix(rel, f.path) {
				f.times--
				hit = f
				break
			}
		}
		s.mu.Unlock()
		if hit != nil {
			if hit.status >= 500 {
				http.Error(w, http.StatusText(hit.status), hit.status)
				return
			}
			writeError(w, hit.status, registry.ClassInvalidParameter, "143", "injected failure")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers dcmgr's error document, or Sinatra's text 500 when
// class is empty.
func writeError(w http.ResponseWriter, status int, class, code, msg string) {
	if class == "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<h1>Internal Server Error</h1>\n%s\n", msg)
		return
	}
	writeJSON(w, status, map[string]string{"error": class, "message": msg, "code": code})
}

func internalError(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusInternalServerError, "", "", fmt.Sprintf(format, args...))
}

var wordRe = regexp.MustCompile(`^\w+$`)

var sortRe = regexp.MustCompile(`^(\w+)(\.desc|\.asc)?$`)

// page answers one page of rs (already filtered) as dcmgr's
// collection_respond_with does.
func page[T any](w http.ResponseWriter, r *http.Request, rs []*record[T]) {
	start, ok := formCount(w, r, "start")
	if !ok {
		return
	}
	limit, ok := formCount(w, r, "limit")
	if !ok {
		return
	}
	if limit < 1 {
		limit = 250
	}
	asc := false
	if v := r.Form.Get("sort_by"); v != "" {
		m := sortRe.FindStringSubmatch(v)
		if m == nil {
			writeError(w, http.StatusBadRequest, registry.ClassInvalidParameter, "143", "sort_by")
			return
		}
		asc = m[2] == ".asc"
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b *record[T]) int {
		if asc {
			return a.id - b.id
		}
		return b.id - a.id
	})
	results := []T{}
	for i := start; i < len(sorted) && i < start+limit; i++ {
		results = append(results, sorted[i].v)
	}
	writeJSON(w, http.StatusOK, []registry.Page[T]{{Total: len(rs), Start: start, Limit: limit, Results: results}})
}

// formCount reads a paging parameter: absent is 0, anything but digits is
// answered as InvalidParameter naming key (and ok is false).
func formCount(w http.ResponseWriter, r *http.Request, key string) (n int, ok bool) {
	v := r.Form.Get(key)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || strings.ContainsAny(v, "+-") {
		writeError(w, http.StatusBadRequest, registry.ClassInvalidParameter, "143", key)
		return 0, false
	}
	return n, true
}
