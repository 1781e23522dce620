package registrytest

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
)

// record is one stored row: id orders the rows as dcmgr's id column does.
type record[T any] struct {
	id int
	v  T
}

// kind describes one collection of the fake: what every handler, accessor
// and RegisterImage need to find, show and store its records.
type kind[T any] struct {
	prefix string
	rows   func(*Server) *[]*record[T]
	common func(*T) common
	// owner is a record's account; nil for kinds that have none.
	owner func(T) string
	// doc is a record as the API shows it; nil shows it as stored.
	doc func(*Server, *record[T]) T
}

// common points at the fields every kind of record has.
type common struct {
	id, uuid         *string
	created, updated *registry.Time
}

// The collections the fake stores.
var (
	hostKind = kind[registry.HostNode]{
		prefix: registry.PrefixHostNode,
		rows:   func(s *Server) *[]*record[registry.HostNode] { return &s.hosts },
		common: func(h *registry.HostNode) common { return common{&h.ID, &h.UUID, &h.CreatedAt, &h.UpdatedAt} },
		doc:    (*Server).hostDoc,
	}
	storageKind = kind[registry.BackupStorage]{
		prefix: registry.PrefixBackupStorage,
		rows:   func(s *Server) *[]*record[registry.BackupStorage] { return &s.storages },
		common: func(b *registry.BackupStorage) common { return common{&b.ID, &b.UUID, &b.CreatedAt, &b.UpdatedAt} },
	}
	objectKind = kind[registry.BackupObject]{
		prefix: registry.PrefixBackupObject,
		rows:   func(s *Server) *[]*record[registry.BackupObject] { return &s.objects },
		common: func(b *registry.BackupObject) common { return common{&b.ID, &b.UUID, &b.CreatedAt, &b.UpdatedAt} },
		owner:  func(b registry.BackupObject) string { return b.AccountID },
	}
	imageKind = kind[registry.Image]{
		prefix: registry.PrefixImage,
		rows:   func(s *Server) *[]*record[registry.Image] { return &s.images },
		common: func(i *registry.Image) common { return common{&i.ID, &i.UUID, &i.CreatedAt, &i.UpdatedAt} },
		owner:  func(i registry.Image) string { return i.AccountID },
	}
)

// uuid is v's canonical UUID.
func (k kind[T]) uuid(v T) string { return *k.common(&v).uuid }

// show is rec as the API answers it.
func (k kind[T]) show(s *Server, rec *record[T]) T {
	if k.doc == nil {
		return rec.v
	}
	return k.doc(s, rec)
}

// values returns every stored record as shown, oldest first.
func (k kind[T]) values(s *Server) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := *k.rows(s)
	out := make([]T, 0, len(rows))
	for _, rec := range rows {
		out = append(out, k.show(s, rec))
	}
	return out
}

// first is the first record for which ok holds, or nil; s.mu is held.
func (k kind[T]) first(s *Server, ok func(T) bool) *record[T] {
	for _, rec := range *k.rows(s) {
		if ok(rec.v) {
			return rec
		}
	}
	return nil
}

// add stores v as the newest record; s.mu is held.
func (k kind[T]) add(s *Server, v T) *record[T] {
	s.seq++
	rec := &record[T]{id: s.seq, v: v}
	rows := k.rows(s)
	*rows = append(*rows, rec)
	return rec
}

// insert stores v under the canonical uuid, created now; s.mu is held.
func (k kind[T]) insert(s *Server, v T, uuid string) *record[T] {
	c := k.common(&v)
	*c.id, *c.uuid = uuid, uuid
	*c.created = registry.Time{Time: s.now()}
	*c.updated = *c.created
	return k.add(s, v)
}

// create stores v under the uuid a POST gave (with or without the kind's
// prefix; a new one when "") and answers it, or answers the generic 500
// dcmgr's model gives for a malformed or taken UUID; s.mu is held.
func (k kind[T]) create(s *Server, w http.ResponseWriter, v T, given string) {
	u := strings.TrimPrefix(given, k.prefix+"-")
	if u == "" {
		u = newUUID()
	}
	if !wordRe.MatchString(u) {
		internalError(w, "Dcmgr::Models::InvalidUUIDError: UUID syntax invalid: %s", given)
		return
	}
	uuid := registry.Canonical(k.prefix, u)
	if k.first(s, func(o T) bool { return k.uuid(o) == uuid }) != nil {
		internalError(w, "Duplicate UUID: %s already exists", uuid)
		return
	}
	writeJSON(w, http.StatusOK, k.show(s, k.insert(s, v, uuid)))
}

// find is the record a request's {id} names as dcmgr's find_by_uuid finds
// it: a malformed id is InvalidParameter, an unknown one, or (with an
// account header) another account's, UnknownUUIDResource. It answers the
// error itself and returns nil then; s.mu is held.
func (k kind[T]) find(s *Server, w http.ResponseWriter, r *http.Request) *record[T] {
	id := r.PathValue("id")
	rest, ok := strings.CutPrefix(id, k.prefix+"-")
	if !ok || !wordRe.MatchString(rest) {
		writeError(w, http.StatusBadRequest, registry.ClassInvalidParameter, "143", "Invalid UUID Syntax: "+id)
		return nil
	}
	rec := k.first(s, func(v T) bool { return k.uuid(v) == id })
	if rec == nil || (k.owner != nil && !ownedBy(r, k.owner(rec.v))) {
		// Other accounts' images are refused too, public or not.
		writeError(w, http.StatusNotFound, registry.ClassUnknownUUIDResource, "100", id)
		return nil
	}
	return rec
}

// ownedBy is dcmgr's find_by_uuid account check: with an account header,
// another account's resource does not exist.
func ownedBy(r *http.Request, account string) bool {
	h := r.Header.Get(registry.AccountHeader)
	return h == "" || h == account
}

// ops are a kind's own parts of its routes: the list filter (nil keeps
// all), what POST does (nil: not served), how PUT applies its form (a
// message means a generic 500) and what DELETE does. Each runs with s.mu
// held.
type ops[T any] struct {
	keep   func(r *http.Request, v T) bool
	create func(w http.ResponseWriter, r *http.Request)
	apply  func(v *T, self int, form url.Values) string
	remove func(w http.ResponseWriter, r *http.Request, rec *record[T])
}

// serve routes the kind's collection at path (relative to the API).
func (k kind[T]) serve(s *Server, mux *http.ServeMux, path string, o ops[T]) {
	p := api + path
	mux.HandleFunc("GET "+p, s.locked(func(w http.ResponseWriter, r *http.Request) { k.list(s, w, r, o.keep) }))
	mux.HandleFunc("GET "+p+"/{id}", k.on(s, func(w http.ResponseWriter, _ *http.Request, rec *record[T]) {
		writeJSON(w, http.StatusOK, k.show(s, rec))
	}))
	if o.create != nil {
		mux.HandleFunc("POST "+p, s.locked(o.create))
	}
	mux.HandleFunc("PUT "+p+"/{id}", k.on(s, func(w http.ResponseWriter, r *http.Request, rec *record[T]) {
		v := rec.v
		if msg := o.apply(&v, rec.id, r.PostForm); msg != "" {
			internalError(w, "%s", msg)
			return
		}
		*k.common(&v).updated = registry.Time{Time: s.now()}
		rec.v = v
		writeJSON(w, http.StatusOK, k.show(s, rec))
	}))
	mux.HandleFunc("DELETE "+p+"/{id}", k.on(s, o.remove))
}

// locked runs h with s.mu held.
func (s *Server) locked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		h(w, r)
	}
}

// on answers a request about the record {id} names with fn, with s.mu
// held; find answers when there is no such record.
func (k kind[T]) on(s *Server, fn func(http.ResponseWriter, *http.Request, *record[T])) http.HandlerFunc {
	return s.locked(func(w http.ResponseWriter, r *http.Request) {
		if rec := k.find(s, w, r); rec != nil {
			fn(w, r, rec)
		}
	})
}

// list answers a page of the records, as shown, that keep (nil: all) keeps.
func (k kind[T]) list(s *Server, w http.ResponseWriter, r *http.Request, keep func(*http.Request, T) bool) {
	var out []*record[T]
	for _, rec := range *k.rows(s) {
		if v := k.show(s, rec); keep == nil || keep(r, v) {
			out = append(out, &record[T]{id: rec.id, v: v})
		}
	}
	page(w, r, out)
}
