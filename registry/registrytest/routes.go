package registrytest

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/registry"
)

const api = registry.DefaultAPIPath

func (s *Server) routes(mux *http.ServeMux) {
	hostKind.serve(s, mux, "host_nodes", ops[registry.HostNode]{
		keep: keepHost, create: s.createHost, apply: s.applyHost, remove: s.deleteHost})
	storageKind.serve(s, mux, "backup_storages", ops[registry.BackupStorage]{
		create: s.createStorage, apply: applyStorage, remove: s.deleteStorage})
	objectKind.serve(s, mux, "backup_objects", ops[registry.BackupObject]{
		keep: keepObject, create: s.createObject, apply: applyObject, remove: s.deleteObject})
	imageKind.serve(s, mux, "images", ops[registry.Image]{
		keep: keepImage, apply: applyImage, remove: s.deleteImage})
}

// ---- host nodes (12.03/host_nodes.rb) ----

// hostDoc adds the status dcmgr computes from node_states; s.mu is held.
func (s *Server) hostDoc(r *record[registry.HostNode]) registry.HostNode {
	h := r.v
	h.Status = "offline"
	if st, ok := s.nodeStates[h.NodeID]; ok {
		h.Status = st
	}
	return h
}

// keepHost applies dcmgr's host_nodes filters to h (shown with status).
func keepHost(r *http.Request, h registry.HostNode) bool {
	f := r.Form
	if id := f.Get("id"); id != "" && !strings.HasPrefix(strings.TrimPrefix(h.UUID, "hn-"), strings.TrimPrefix(id, "hn-")) {
		return false
	}
	if !match(f, "node_id", h.NodeID) || !match(f, "display_name", h.DisplayName) || !match(f, "arch", h.Arch) ||
		!match(f, "hypervisor", h.Hypervisor) || !match(f, "cpu_cores", strconv.Itoa(h.OfferingCPUCores)) ||
		!match(f, "memory_size", strconv.Itoa(h.OfferingMemorySize)) {
		return false
	}
	switch f.Get("status") {
	case "online":
		return h.Status == "online" && h.SchedulingEnabled
	case "offline":
		return h.Status == "offline"
	}
	return true
}

func match(f map[string][]string, key, value string) bool {
	v, ok := f[key]
	return !ok || len(v) == 0 || v[0] == value
}

var (
	hostColumns = []string{"uuid", "node_id", "display_name", "arch", "hypervisor", "offering_cpu_cores",
		"offering_memory_size", "offering_disk_space_mb", "scheduling_enabled", "created_at", "updated_at"}
	nodeIDRe = regexp.MustCompile(`^hva[-.]`)
)

// applyHost sets form fields on h the way Sequel's mass assignment plus
// HostNode#validate would; it returns a message for a generic 500.
func (s *Server) applyHost(h *registry.HostNode, self int, form url.Values) string {
	for k, v := range form {
		if k == "account_id" {
			return "Sequel::Error: method account_id= doesn't exist (the X-VDC-Account-UUID header must not be sent with POST /host_nodes)"
		}
		if !slices.Contains(hostColumns, k) {
			return "Sequel::Error: method " + k + "= doesn't exist or access is restricted to it"
		}
		val := v[0]
		var err error
		switch k {
		case "uuid":
			h.UUID = val
		case "node_id":
			h.NodeID = val
		case "display_name":
			h.DisplayName = val
		case "arch":
			h.Arch = val
		case "hypervisor":
			h.Hypervisor = val
		case "offering_cpu_cores":
			h.OfferingCPUCores, err = strconv.Atoi(val)
		case "offering_memory_size":
			h.OfferingMemorySize, err = strconv.Atoi(val)
		case "offering_disk_space_mb":
			h.OfferingDiskSpaceMB, err = strconv.Atoi(val)
		case "scheduling_enabled":
			h.SchedulingEnabled = val == "true" || val == "1"
		}
		if err != nil {
			return "Sequel::InvalidValue: " + k + ": " + val
		}
	}
	if h.NodeID != "" && !nodeIDRe.MatchString(h.NodeID) {
		return "Sequel::ValidationFailed: node_id is invalid ID: " + h.NodeID
	}
	for _, o := range s.hosts {
		if o.id != self && h.NodeID != "" && o.v.NodeID == h.NodeID {
			return "Sequel::ValidationFailed: node_id " + h.NodeID + " is already been associated to " + o.v.UUID
		}
	}
	if !slices.Contains(registry.Arches(), h.Arch) {
		return "Sequel::ValidationFailed: arch unknown architecture type: " + h.Arch
	}
	if h.OfferingCPUCores < 0 || h.OfferingMemorySize < 0 || h.OfferingDiskSpaceMB < 0 {
		return "Sequel::ValidationFailed: offering it can not be less than zero"
	}
	return ""
}

func (s *Server) createHost(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	if acct := r.Header.Get(registry.AccountHeader); acct != "" {
		form = maps.Clone(form)
		form["account_id"] = []string{acct}
	}
	if _, ok := form["id"]; ok {
		internalError(w, "Sequel::Error: method id= doesn't exist or access is restricted to it")
		return
	}
	h := registry.HostNode{SchedulingEnabled: true}
	if msg := s.applyHost(&h, -1, form); msg != "" {
		internalError(w, "%s", msg)
		return
	}
	hostKind.create(s, w, h, h.UUID)
}

func (s *Server) deleteHost(w http.ResponseWriter, _ *http.Request, rec *record[registry.HostNode]) {
	s.hosts = slices.DeleteFunc(s.hosts, func(o *record[registry.HostNode]) bool { return o == rec })
	writeJSON(w, http.StatusOK, map[string]string{"uuid": rec.v.UUID})
}
