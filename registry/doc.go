// Package registry registers an ESXi HVA and its images with Wakame-vdc, in
// Go, the way an administrator does with `vdc-manage host|image|spec add`.
//
// Wakame-vdc keeps its registry in dcmgr's MySQL database and exposes part of
// it over dcmgr's Web API (`/api/12.03/`, port 9001). This package speaks
// both, and edits the web frontend's instance_spec.yml for instance specs.
//
// # Backends
//
// [Client] talks to the Web API: host nodes (list, get, create, update,
// delete), backup storages and backup objects (the same), images (list, get,
// update, delete). Requests are form-encoded, carry the account header
// X-VDC-Account-UUID when one is set (except POST /host_nodes, where dcmgr
// keeps the header's account_id in the parameters and fails with a 500), time
// out, and are retried only when they are idempotent reads (GET). Failures the
// server reports come back as [*APIError] with dcmgr's error class, code and
// message. Paged lists can be read page by page or through an iterator.
//
// [SQL] writes dcmgr's MySQL schema directly, as vdc-manage does, and reads
// Isono's node_states. It chooses the columns it writes by the database's
// schema_info version (see [SQL.Schema]): 23, wakame-vdc HEAD, and 2, Wakame
// 12.03 (migration 0002_v1203), whose host_nodes has no
// offering_disk_space_mb nor scheduling_enabled, whose images have no
// volumes, vifs nor os_type and backup_objects no source_volume_id, and which
// still has the instance_specs table. Any other version, or a database
// without schema_info, is refused with a [*SchemaError] naming it
// ([ErrUnknownSchema]); the tests run on both schemas as wakame-vdc's own
// migrations make them (testdata/wakame/make_schemas.sh). It sets every NOT
// NULL column explicitly, so it works under strict SQL modes, generates
// 8-character [a-z0-9] UUIDs and retries on collision (dcmgr itself does
// not), and runs one transaction per registration. It does not write the `histories` audit rows dcmgr's models
// add.
//
// Both implement [Registrar], the vdc-manage parity calls:
//
//	call           Client (Web API)                    SQL
//	RegisterHost   yes (see below for the online check) yes
//	RegisterImage  no: dcmgr has no POST /images;       yes
//	               returns ErrUnsupported
//	Hosts          yes                                  yes
//
// RegisterHost validates like vdc-manage and dcmgr's model (node id "hva." or
// "hva-", a supported hypervisor, arch x86 or x86_64, positive CPU and
// memory, a UUID given as "hn-esxi1" is stored as "esxi1") before anything is
// written. Unless Force is set it refuses a node Isono has never seen. SQL
// checks node_states exactly as vdc-manage does (a row in any state). The Web
// API cannot read node_states, so Client creates the host, looks at the status
// dcmgr computes for it and deletes it again when that status is "offline";
// that also refuses a node whose row says offline, which vdc-manage would
// accept. Registering the same host twice with the same fields is a no-op;
// with different fields it fails with a [*ConflictError] naming them.
//
// RegisterImage takes the "-flat" URI of a VMDK pair and its md5. It checks
// both files answer a HEAD request (the descriptor's URI is the flat's with
// the last "-flat" removed from the file name), learns the flat's size,
// optionally streams the flat to verify the md5 (reporting progress; read
// as the image cache reads it, with retries and Range resume), then in
// one transaction reuses or creates the backup storage for the URI's
// directory, creates the backup object (object key = file name, size,
// checksum) and the image. A failure at any step leaves no rows.
//
// Instance specs live in dcmgr's instance_specs table on Wakame 12.03, where
// [SQL.RegisterSpec] inserts them as `vdc-manage spec add` did. Later Wakame
// reads them from the web frontend's instance_spec.yml, which RegisterSpec
// edits when [WithSpecFile] names it. [AddSpec], [RemoveSpec] and
// [ReadSpecs] edit that file idempotently, keeping the other entries, their
// order and comments (through gopkg.in/yaml.v3, already in go.sum via
// testify).
//
// The package registrytest serves an in-memory fake of the Web API for tests
// and for the examples' embedded mode; its RegisterImage stands in for the
// SQL backend's image registration there.
package registry
