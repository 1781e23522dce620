package hva

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// ErrBadInstance is wrapped by every decoding error: the collector's hash
// lacks a required field or has one of the wrong type. The message names
// the field, e.g. "vif[1].mac_addr".
var ErrBadInstance = errors.New("malformed collector data")

// fields reads a generic hash, naming each field it reads with its path
// and remembering the first problem.
type fields struct {
	m    map[string]any
	path string
	err  *error
}

func (f fields) name(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

func (f fields) fail(key, format string, args ...any) {
	if *f.err == nil {
		*f.err = fmt.Errorf("%w: %s: %s", ErrBadInstance, f.name(key), fmt.Sprintf(format, args...))
	}
}

func (f fields) has(key string) bool {
	v, ok := f.m[key]
	return ok && v != nil
}

// str returns a string-kinded value (string, []byte, a Symbol type),
// failing when a required one is missing or empty.
func (f fields) str(key string, required bool) string {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return ""
	}
	s, ok := stringish(v)
	if !ok {
		f.fail(key, "want a string, got %T", v)
		return ""
	}
	if required && s == "" {
		f.fail(key, "empty")
	}
	return s
}

// num returns an integer (any int kind, an integral float, or a decimal
// string as Wakame's YAML columns sometimes give).
func (f fields) num(key string, required bool) int64 {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return 0
	}
	n, ok := intish(v)
	if !ok {
		f.fail(key, "want an integer, got %T %v", v, v)
	}
	return n
}

func (f fields) boolean(key string) bool {
	switch v := f.m[key].(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		if n, ok := intish(v); ok {
			return n != 0
		}
		if s, ok := stringish(v); ok {
			return s == "true" || s == "1"
		}
		f.fail(key, "want a boolean, got %T", v)
		return false
	}
}

// sub returns the nested hash under key; nil (ok=false) when absent.
func (f fields) sub(key string, required bool) (fields, bool) {
	v, ok := f.m[key]
	if !ok || v == nil {
		if required {
			f.fail(key, "missing")
		}
		return fields{}, false
	}
	m, ok := asMap(v)
	if !ok {
		f.fail(key, "want a hash, got %T", v)
		return fields{}, false
	}
	return fields{m: m, path: f.name(key), err: f.err}, true
}

func (f fields) list(key string) []any {
	v, ok := f.m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			f.fail(key, "want an array, got %T", v)
			return nil
		}
		l = make([]any, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
	}
	return l
}

func (f fields) strings(key string) []string {
	var out []string
	for i, v := range f.list(key) {
		s, ok := stringish(v)
		if !ok {
			f.fail(fmt.Sprintf("%s[%d]", key, i), "want a string, got %T", v)
			continue
		}
		out = append(out, s)
	}
	return out
}

// asMap accepts map[string]any and any map with string-kinded keys.
func asMap(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String && rv.Type().Key().Kind() != reflect.Interface {
		return nil, false
	}
	out := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		k, ok := stringish(it.Key().Interface())
		if !ok {
			return nil, false
		}
		out[k] = it.Value().Interface()
	}
	return out, true
}

// stringish returns v as a string when it is string-kinded (string,
// []byte, or a named string type such as a Symbol).
func stringish(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	case nil:
		return "", false
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return rv.String(), true
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
		return string(rv.Bytes()), true
	}
	return "", false
}

func intish(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return 0, false
		}
		return int64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	case reflect.String:
		n, err := strconv.ParseInt(strings.TrimSpace(rv.String()), 10, 64)
		return n, err == nil
	}
	if s, ok := v.(interface{ Int64() int64 }); ok { // *big.Int that fits
		if b, ok := v.(interface{ IsInt64() bool }); ok && b.IsInt64() {
			return s.Int64(), true
		}
	}
	return 0, false
}

// DecodeInstance decodes the hash of hva-collector's get_instance. It
// accepts the current Wakame shape (image.backup_object.uri and
// .checksum) and the 2012 one (image.source.uri and image.md5sum). A
// missing or ill-typed required field is an error wrapping ErrBadInstance
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
		Status:       f.str("status", false),
		Hostname:     f.str("hostname", false),
		CPUCores:     int(f.num("cpu_cores", true)),
		MemorySize:   int(f.num("memory_size", true)),
		UserData:     f.str("user_data", false),
		BootVolumeID: f.str("boot_volume_id", false),
		IPs:          f.strings("ips"),
		NATIPs:       f.strings("nat_ips"),
		Raw:          raw,
	}
	if err == nil && inst.ID != "" {
		if verr := esxi.ValidateName(inst.ID); verr != nil {
			f.fail("uuid", "%v", verr)
		}
	}
	if inst.CPUCores < 0 || inst.MemorySize < 0 {
		f.fail("cpu_cores", "negative size (%d cores, %d MB)", inst.CPUCores, inst.MemorySize)
	}
	if img, ok := f.sub("image", true); ok {
		inst.Image = decodeImage(img)
		inst.InstanceType = inst.Image.InstanceModelName
	}
	if rp, ok := f.sub("request_params", false); ok {
		if s := rp.str("instance_spec_id", false); s != "" {
			inst.InstanceType = s
		}
	}
	for i, v := range f.list("vif") {
		m, ok := asMap(v)
		if !ok {
			f.fail(fmt.Sprintf("vif[%d]", i), "want a hash, got %T", v)
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
			v := decodeVolume(vf)
			if v.ID == "" {
				v.ID = id
			}
			inst.Volumes = append(inst.Volumes, v)
		}
		sort.Slice(inst.Volumes, func(i, j int) bool { return inst.Volumes[i].ID < inst.Volumes[j].ID })
	}
	if hn, ok := f.sub("host_node", false); ok {
		inst.HostNode = &HostNode{ID: hn.str("uuid", false), NodeID: hn.str("node_id", false)}
	}
	if k, ok := f.sub("ssh_key_data", false); ok {
		inst.SSHKey = &SSHKey{ID: k.str("uuid", true), PublicKey: k.str("public_key", true)}
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

func decodeImage(f fields) Image {
	img := Image{
		ID:                f.str("uuid", true),
		InstanceModelName: f.str("instance_model_name", false),
		BackupObjectID:    f.str("backup_object_id", false),
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
		if id := bo.str("uuid", false); id != "" {
			img.BackupObjectID = id
		}
	case f.has("source"):
		src, _ := f.sub("source", true)
		img.URI = src.str("uri", true)
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
				ID:          nw.str("uuid", false),
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

func decodeVolume(f fields) Volume {
	return Volume{
		ID:              f.str("uuid", false),
		State:           f.str("state", true),
		Size:            f.num("size", false),
		IsLocal:         f.boolean("is_local_volume") || strings.HasSuffix(f.str("volume_type", false), "LocalVolume"),
		GuestDeviceName: f.str("guest_device_name", false),
		InstanceID:      f.str("instance_id", false),
	}
}

// DecodeVolume decodes the hash of sta-collector's get_volume.
func DecodeVolume(raw map[string]any) (*Volume, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no volume (nil hash)", ErrBadInstance)
	}
	var err error
	v := decodeVolume(fields{m: raw, err: &err})
	if v.ID == "" && err == nil {
		err = fmt.Errorf("%w: uuid: missing", ErrBadInstance)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// DecodeBackupObject decodes the hash of sta-collector's
// get_backup_object.
func DecodeBackupObject(raw map[string]any) (*BackupObject, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no backup object (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	bo := &BackupObject{ID: f.str("uuid", true), ObjectKey: f.str("object_key", false), URI: f.str("uri", false)}
	if bo.URI == "" {
		if st, ok := f.sub("backup_storage", true); ok {
			bo.URI = joinURI(st.str("base_uri", true), f.str("object_key", true))
		}
	}
	if err != nil {
		return nil, err
	}
	return bo, nil
}

// DecodeNIC decodes the hash of hva-collector's get_nic.
func DecodeNIC(raw map[string]any) (*NIC, error) {
	if raw == nil {
		return nil, fmt.Errorf("%w: no vif (nil hash)", ErrBadInstance)
	}
	var err error
	f := fields{m: raw, err: &err}
	v := decodeVif(f)
	n := &NIC{ID: v.ID, MAC: v.MAC, InstanceID: f.str("instance_uuid", true)}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// joinURI is Wakame's base_uri + object_key, with exactly one slash.
func joinURI(base, key string) string {
	if base == "" || key == "" {
		return base + key
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(key, "/")
}
