package hva

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// ErrBadInstance is wrapped by every decoding error: the collector's hash
// lacks a field the agent needs, or gives it a value no Wakame column
// can hold, or is out of the range the agent accepts. The message names
// the field, e.g. "vif[1].mac_addr".
var ErrBadInstance = errors.New("malformed collector data")

// ErrWrongObject is wrapped (with ErrBadInstance) when the collector's
// answer is about another object than the one asked for: a get_instance
// for i-a answered with i-b's hash. The job then touches nothing.
var ErrWrongObject = errors.New("the collector answered for another object")

// Bounds of the sizes an instance may ask for; a get_instance answer
// outside them is refused with an error naming the field.
const (
	// MaxCPUCores is the most vCPUs a VM may have (ESXi 7 and 8: 768).
	MaxCPUCores = 768
	// MaxMemoryMB is the most memory a VM may have, in MB (ESXi 7 and
	// 8: 24 TB).
	MaxMemoryMB = 24 << 20
	// MaxUserData is the most user_data the metadata CD carries, in
	// bytes. (Wakame's instances.user_data is a MySQL TEXT column: 64 KiB
	// at most; the bound leaves room for other collectors.)
	MaxUserData = 64 << 20
)

// The fields the decoders read, with the types they accept (String
// includes Symbol and binary Strings; Integer includes Bignum, a decimal
// String and an integral Float; nil is NULL). Everything else in an
// answer is never looked at.
//
//	get_instance (Instance#to_hash, dcmgr/lib/dcmgr/models/instance.rb)
//	  uuid                     String, required, a valid VM name
//	  state                    String, required
//	  account_id, hostname, boot_volume_id   String or nil
//	  cpu_cores                Integer 1..MaxCPUCores, required
//	  memory_size              Integer 1..MaxMemoryMB (MB), required
//	  user_data                String or nil, at most MaxUserData bytes
//	  ips, nat_ips             Array of String, or nil
//	  request_params           Hash, "" or nil; .instance_spec_id String or nil
//	  image                    Hash, required: uuid String required,
//	                           instance_model_name String or nil;
//	    .backup_object         Hash or nil: uri, checksum String or nil,
//	                           size Integer or nil, object_key and
//	                           backup_storage.base_uri when uri is absent
//	    .source, .md5sum       (Wakame 11.12) Hash or ""; uri String; String
//	  vif[]                    Hash: uuid, mac_addr String required,
//	                           device_index Integer or nil,
//	                           security_groups Array of String or nil,
//	    .ipv4                  Hash or nil: address, nat_address String or nil,
//	      .network             Hash or nil: ipv4_network String required,
//	                           prefix Integer 0..32 required, ipv4_gw,
//	                           dns_server String or nil, metric Integer or nil
//	  volume{uuid}             Hash: uuid String (else the key), state String
//	                           required, size Integer >= 0 or nil,
//	                           is_local_volume true/false/0/1/nil,
//	                           volume_type String or nil
//	  host_node                Hash or nil: node_id String or nil
//	  ssh_key_data             Hash or nil: uuid, public_key String required
//	get_volume                 uuid, state required; size, is_local_volume,
//	                           volume_type as above
//	get_backup_object          uuid required; uri, or backup_storage.base_uri
//	                           + object_key
//	get_nic                    a vif as above (uuid, mac_addr, ...) plus
//	                           instance_uuid String required
//	get_instance_monitor_data  uuid String required; state, status String or nil

// DecodeInstance decodes the hash of hva-collector's get_instance
// (Wakame's Instance#to_hash). It reads only the fields the agent uses
// (listed above) and accepts every type
// their Wakame columns can give: Integer or String ids, String or Symbol
// states, nil for NULL, true/false or 0/1 flags, "" for an empty
// serialized column. Every other field is ignored, whatever it holds. It
// accepts the current Wakame shape (image.backup_object.uri and
// .checksum) and the 2012 one (image.source.uri and image.md5sum). A
// missing or unusable needed field is an error wrapping ErrBadInstance
// that names it.
func DecodeInstance(raw map[string]any) (*Instance, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no instance (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	inst := &Instance{
		ID:           f.str("uuid", true),
		AccountID:    f.str("account_id", false),
		State:        f.str("state", true),
		Hostname:     f.str("hostname", false),
		UserData:     f.str("user_data", false),
		BootVolumeID: f.str("boot_volume_id", false),
		IPs:          f.strings("ips"),
		NATIPs:       f.strings("nat_ips"),
		Raw:          raw,
	}
	if err == nil && inst.ID != "" {
		if verr := esxi.ValidateID(inst.ID); verr != nil {
			f.fail("uuid", "%v", verr)
		}
	}
	inst.CPUCores = int(bounded(f, "cpu_cores", 1, MaxCPUCores, "vCPUs"))
	inst.MemorySize = int(bounded(f, "memory_size", 1, MaxMemoryMB, "MB"))
	if n := len(inst.UserData); n > MaxUserData {
		f.fail("user_data", "%d bytes, more than the %d (%d MiB) the metadata CD carries", n, MaxUserData, MaxUserData>>20)
		inst.UserData = ""
	}
	if img, ok := f.sub("image", true); ok {
		inst.Image = decodeImage(img)
		inst.InstanceType = inst.Image.InstanceModelName
	}
	if rp, ok := f.serialized("request_params"); ok {
		if s := rp.str("instance_spec_id", false); s != "" {
			inst.InstanceType = s
		}
	}
	for i, v := range f.list("vif") {
		m, ok := asMap(v)
		if !ok {
			f.fail(fmt.Sprintf("vif[%d]", i), "want a Hash, got %s", rubymarshal.ClassName(v))
			continue
		}
		inst.Vifs = append(inst.Vifs, decodeVif(fields{m: m, path: fmt.Sprintf("vif[%d]", i), err: &err}))
	}
	sort.SliceStable(inst.Vifs, func(i, j int) bool { return inst.Vifs[i].DeviceIndex < inst.Vifs[j].DeviceIndex })
	if vols, ok := f.sub("volume", false); ok {
		for id := range vols.m {
			vf, ok := vols.sub(id, true)
			if !ok {
				continue
			}
			v := decodeVolume(vf, id)
			inst.Volumes = append(inst.Volumes, v)
		}
		sort.Slice(inst.Volumes, func(i, j int) bool { return inst.Volumes[i].ID < inst.Volumes[j].ID })
	}
	if hn, ok := f.sub("host_node", false); ok {
		inst.HostNode = &HostNode{NodeID: hn.str("node_id", false)}
	}
	if k, ok := f.sub("ssh_key_data", false); ok {
		inst.SSHKey = &SSHKey{ID: k.str("uuid", true), PublicKey: k.str("public_key", true)}
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

// bounded reads a required Integer size in [lo, hi]; unit names it in
// the error.
func bounded(f fields, key string, lo, hi int64, unit string) int64 {
	n := f.num(key, true)
	if f.has(key) && *f.err == nil && (n < lo || n > hi) {
		f.fail(key, "%d %s is out of range (%d to %d)", n, unit, lo, hi)
		return 0
	}
	return n
}

func decodeImage(f fields) Image {
	img := Image{
		ID:                f.str("uuid", true),
		InstanceModelName: f.str("instance_model_name", false),
	}
	switch {
	case f.has("backup_object"):
		bo, _ := f.sub("backup_object", true)
		img.URI = bo.str("uri", false)
		img.MD5 = bo.str("checksum", false)
		img.Size = bo.num("size", false)
		if img.URI == "" { // the row without the collector's uri field
			if st, ok := bo.sub("backup_storage", false); ok {
				img.URI = joinURI(st.str("base_uri", false), bo.str("object_key", false))
			}
		}
	case f.has("source"):
		src, _ := f.serialized("source")
		if src.m != nil {
			img.URI = src.str("uri", true)
		}
		img.MD5 = f.str("md5sum", false)
	}
	return img
}

func decodeVif(f fields) Vif {
	v := Vif{
		ID:             f.str("uuid", true),
		MAC:            f.str("mac_addr", true),
		DeviceIndex:    int(f.num("device_index", false)),
		SecurityGroups: f.strings("security_groups"),
	}
	if v.MAC != "" {
		mac, err := esxi.NormalizeMAC(v.MAC)
		if err != nil {
			f.fail("mac_addr", "%v", err)
		}
		v.MAC = strings.ReplaceAll(mac, ":", "")
	}
	if ip, ok := f.sub("ipv4", false); ok {
		v.IPv4 = &IPv4Lease{Address: ip.str("address", false), NATAddress: ip.str("nat_address", false)}
		if nw, ok := ip.sub("network", false); ok {
			v.IPv4.Network = &Network{
				IPv4Network: nw.str("ipv4_network", true),
				Prefix:      int(nw.num("prefix", true)),
				Gateway:     nw.str("ipv4_gw", false),
				DNSServer:   nw.str("dns_server", false),
				Metric:      int(nw.num("metric", false)),
			}
			if p := v.IPv4.Network.Prefix; p < 0 || p > 32 {
				nw.fail("prefix", "%d is not a prefix length", p)
			}
		}
	}
	return v
}

// decodeVolume reads a volume row; id is the uuid to use when the row
// has none (the key of get_instance's volume hash).
func decodeVolume(f fields, id string) Volume {
	v := Volume{
		ID:      f.str("uuid", id == ""),
		State:   f.str("state", true),
		Size:    f.num("size", false),
		IsLocal: f.boolean("is_local_volume") || strings.HasSuffix(f.str("volume_type", false), "LocalVolume"),
	}
	if v.ID == "" {
		v.ID = id
	}
	if v.Size < 0 {
		f.fail("size", "negative (%d bytes)", v.Size)
	}
	return v
}

// joinURI is Wakame's base_uri + object_key, with exactly one slash.
func joinURI(base, key string) string {
	if base == "" || key == "" {
		return base + key
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(key, "/")
}
