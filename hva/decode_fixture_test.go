package hva_test

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// The fixtures are Marshal dumps real Ruby made of hashes built column by
// column from Wakame's migrations and to_hash methods
// (testdata/wakame/make_fixtures.rb).
const fixtureDir = "testdata/wakame"

// fixture decodes a fixture as the transport hands it to hva: plain maps
// keyed by the Symbol/String names, Symbols string-kinded.
func fixture(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name+".marshal"))
	require.NoError(t, err)
	v, err := rubymarshal.Decode(b)
	require.NoError(t, err)
	return plain(v)
}

func plain(v any) any {
	switch x := v.(type) {
	case *rubymarshal.Hash:
		m := make(map[string]any, x.Len())
		for _, p := range x.Pairs {
			k, ok := p.Key.(rubymarshal.Symbol)
			if !ok {
				k = rubymarshal.Symbol(fmt.Sprint(p.Key))
				if s, ok := p.Key.(string); ok {
					k = rubymarshal.Symbol(s)
				}
			}
			m[string(k)] = plain(p.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case rubymarshal.Symbol:
		return hva.Symbol(x)
	case rubymarshal.EncString:
		return x.S
	case rubymarshal.Binary:
		return string(x)
	}
	return v
}

func fixtureMap(t *testing.T, name string) map[string]any {
	t.Helper()
	m, ok := fixture(t, name).(map[string]any)
	require.True(t, ok, "%s is a Hash", name)
	return m
}

// decoders decodes each fixture with the function the agent uses for it
// and returns the result without Raw, so results compare with Equal.
var decoders = map[string]func(map[string]any) (any, error){
	"get_instance":      decodeInstance,
	"get_instance_2012": decodeInstance,
	"get_volume":        func(m map[string]any) (any, error) { return hva.DecodeVolume(m) },
	"get_backup_object": func(m map[string]any) (any, error) { return hva.DecodeBackupObject(m) },
	"get_nic":           func(m map[string]any) (any, error) { return hva.DecodeNIC(m) },
}

func decodeInstance(m map[string]any) (any, error) {
	inst, err := hva.DecodeInstance(m)
	if inst != nil {
		inst.Raw = nil
	}
	return inst, err
}

func TestDecodeFixtures(t *testing.T) {
	inst, err := decodeInstance(fixtureMap(t, "get_instance"))
	require.NoError(t, err, "today's Wakame: Integer foreign keys, String states, Times, labels")
	nw := func(n string) *hva.Network {
		return &hva.Network{IPv4Network: n + ".0", Prefix: 24, Gateway: n + ".1", DNSServer: "8.8.8.8", Metric: 100}
	}
	assert.Equal(t, &hva.Instance{
		ID: "i-lucid001", AccountID: "a-shpoolxx", State: "initializing", Hostname: "lucid001",
		CPUCores: 2, MemorySize: 1024, UserData: "#!/bin/sh\necho hello\n", BootVolumeID: "vol-boot0001",
		InstanceType: "is-small",
		Image: hva.Image{ID: "wmi-lucid", InstanceModelName: "esxi.small",
			URI: "http://192.168.2.1:8080/images/ubuntu-lucid-esxi-flat.vmdk",
			MD5: "293bec7563280fe2934a3611a3e1dab2", Size: 64 << 30},
		Vifs: []hva.Vif{
			{ID: "vif-demo0001", MAC: "525400a1b2c3", DeviceIndex: 0, SecurityGroups: []string{"sg-web0"},
				IPv4: &hva.IPv4Lease{Address: "10.0.0.10", Network: nw("10.0.0")}},
			{ID: "vif-demo0002", MAC: "525400d4e5f6", DeviceIndex: 1, SecurityGroups: []string{"sg-web1"},
				IPv4: &hva.IPv4Lease{Address: "10.0.1.10", Network: nw("10.0.1")}},
		},
		Volumes:  []hva.Volume{{ID: "vol-boot0001", State: "available", Size: 10 << 30, IsLocal: true}},
		HostNode: &hva.HostNode{NodeID: "hva.esxi1"},
		SSHKey:   &hva.SSHKey{ID: "ssh-demo", PublicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDdemo demo@wakame"},
		IPs:      []string{"10.0.0.10", "10.0.1.10"}, NATIPs: nil,
	}, inst)

	old, err := decodeInstance(fixtureMap(t, "get_instance_2012"))
	require.NoError(t, err, "Wakame 11.12: image.source and md5sum, a binary user_data")
	assert.Equal(t, &hva.Instance{
		ID: "i-old00001", AccountID: "a-shpoolxx", State: "initializing", Hostname: "old00001",
		CPUCores: 1, MemorySize: 512, InstanceType: "is-demospec",
		Image: hva.Image{ID: "wmi-lucid5", URI: "http://192.168.2.1/images/ubuntu-lucid-kvm-md-32-flat.vmdk",
			MD5: "293bec7563280fe2934a3611a3e1dab2"},
		Vifs: []hva.Vif{{ID: "vif-old00001", MAC: "525400102030", IPv4: &hva.IPv4Lease{Address: "192.168.2.10",
			Network: &hva.Network{IPv4Network: "192.168.2.0", Prefix: 24, Gateway: "192.168.2.1", DNSServer: "192.168.2.1", Metric: 100}}}},
		HostNode: &hva.HostNode{NodeID: "hva.demo1"},
		SSHKey:   &hva.SSHKey{ID: "ssh-demo", PublicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDold old@wakame"},
		IPs:      []string{"192.168.2.10"},
	}, old)

	vol, err := hva.DecodeVolume(fixtureMap(t, "get_volume"))
	require.NoError(t, err)
	assert.Equal(t, &hva.Volume{ID: "vol-boot0001", State: "attached", Size: 10 << 30, IsLocal: true}, vol)

	bo, err := hva.DecodeBackupObject(fixtureMap(t, "get_backup_object"))
	require.NoError(t, err)
	assert.Equal(t, &hva.BackupObject{ID: "bo-snap0001", URI: "http://192.168.2.1:8080/images/snap/i-lucid001-flat.vmdk"}, bo)

	nic, err := hva.DecodeNIC(fixtureMap(t, "get_nic"))
	require.NoError(t, err)
	assert.Equal(t, &hva.NIC{ID: "vif-demo0001", MAC: "525400a1b2c3", InstanceID: "i-lucid001"}, nic)
}

// used lists, per answer, the fields the agent reads ("*" stands for any
// array index or hash key). Everything else in a fixture is unused.
var used = map[string][]string{
	"get_instance": {
		"uuid", "account_id", "state", "hostname", "cpu_cores", "memory_size", "user_data", "boot_volume_id",
		"ips", "nat_ips", "request_params.instance_spec_id",
		"image.uuid", "image.instance_model_name", "image.source.uri", "image.md5sum",
		"image.backup_object.uri", "image.backup_object.checksum", "image.backup_object.size",
		"image.backup_object.object_key", "image.backup_object.backup_storage.base_uri",
		"vif.*.uuid", "vif.*.mac_addr", "vif.*.device_index", "vif.*.security_groups",
		"vif.*.ipv4.address", "vif.*.ipv4.nat_address", "vif.*.ipv4.network.ipv4_network",
		"vif.*.ipv4.network.prefix", "vif.*.ipv4.network.ipv4_gw", "vif.*.ipv4.network.dns_server",
		"vif.*.ipv4.network.metric",
		"volume.*.uuid", "volume.*.state", "volume.*.size", "volume.*.is_local_volume", "volume.*.volume_type",
		"host_node.node_id", "ssh_key_data.uuid", "ssh_key_data.public_key",
	},
	"get_volume":        {"uuid", "state", "size", "is_local_volume", "volume_type"},
	"get_backup_object": {"uuid", "uri", "object_key", "backup_storage.base_uri"},
	"get_nic": {"uuid", "mac_addr", "device_index", "security_groups", "instance_uuid",
		"ipv4.address", "ipv4.nat_address", "ipv4.network.ipv4_network", "ipv4.network.prefix",
		"ipv4.network.ipv4_gw", "ipv4.network.dns_server", "ipv4.network.metric"},
}

func init() { used["get_instance_2012"] = used["get_instance"] }

// related reports whether path p and pattern u are on one line: one is a
// prefix of the other (p is a used field, inside one, or holds one).
func related(p []string, u string) bool {
	us := strings.Split(u, ".")
	for i := 0; i < len(p) && i < len(us); i++ {
		if us[i] != "*" && us[i] != p[i] {
			return false
		}
	}
	return true
}

// paths lists every path in v (hash keys and array indexes), parents
// before children.
func paths(v any, prefix []string, out *[][]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]string(nil), prefix...), k)
			*out = append(*out, p)
			paths(x[k], p, out)
		}
	case []any:
		for i, e := range x {
			p := append(append([]string(nil), prefix...), strconv.Itoa(i))
			*out = append(*out, p)
			paths(e, p, out)
		}
	}
}

// edit returns a deep copy of root with the value at path p replaced by
// f(old); f returning remove deletes a hash key.
var remove = &struct{ name string }{"remove"}

func edit(root any, p []string, f func(any) any) any {
	switch x := root.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = v
		}
		if len(p) == 1 {
			if nv := f(x[p[0]]); nv == any(remove) {
				delete(out, p[0])
			} else {
				out[p[0]] = nv
			}
			return out
		}
		out[p[0]] = edit(x[p[0]], p[1:], f)
		return out
	case []any:
		out := append([]any(nil), x...)
		i, _ := strconv.Atoi(p[0])
		if len(p) == 1 {
			if nv := f(x[i]); nv == any(remove) {
				out[i] = nil
			} else {
				out[i] = nv
			}
			return out
		}
		out[i] = edit(x[i], p[1:], f)
		return out
	}
	return root
}

// decodedFixture is the named fixture, what decode makes of it, and the
// paths of its fields.
func decodedFixture(t *testing.T, name string, decode func(map[string]any) (any, error)) (base map[string]any, want any, all [][]string) {
	t.Helper()
	base = fixtureMap(t, name)
	want, err := decode(base)
	require.NoError(t, err)
	paths(base, nil, &all)
	return base, want, all
}

// aliens are values of every type a Marshal body can carry.
var aliens = []any{
	remove, nil, int64(7), big.NewInt(0).Lsh(big.NewInt(1), 70), 2.5, true, "x", hva.Symbol("sym"),
	time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), map[string]any{"k": int64(1)}, []any{int64(1), "y"},
}

// A field the agent does not use never changes the decoded value,
// whether it is deleted or holds any other type.
func TestDecodeIgnoresUnusedFields(t *testing.T) {
	for name, decode := range decoders {
		t.Run(name, func(t *testing.T) {
			base, want, all := decodedFixture(t, name, decode)
			unused := 0
			for _, p := range all {
				isUsed := false
				for _, u := range used[name] {
					if related(p, u) {
						isUsed = true
						break
					}
				}
				if isUsed {
					continue
				}
				unused++
				for _, alien := range aliens {
					m := edit(base, p, func(any) any { return alien }).(map[string]any)
					got, err := decode(m)
					if !assert.NoError(t, err, "%s = %T %v", strings.Join(p, "."), alien, alien) {
						continue
					}
					assert.Equal(t, want, got, "%s = %T %v", strings.Join(p, "."), alien, alien)
				}
			}
			assert.Greater(t, unused, 10, "the fixture has unused fields to try")
		})
	}
}

// Every Integer id or foreign key may arrive as a String (a YAML column,
// a collector that formats it) and back: nothing changes. So do states
// as Symbols and tinyint flags as 0/1.
func TestDecodeAcceptsEveryColumnType(t *testing.T) {
	for name, decode := range decoders {
		t.Run(name, func(t *testing.T) {
			base, want, all := decodedFixture(t, name, decode)
			tried := 0
			for _, p := range all {
				key := p[len(p)-1]
				var v any = base
				for _, s := range p {
					switch x := v.(type) {
					case map[string]any:
						v = x[s]
					case []any:
						i, _ := strconv.Atoi(s)
						v = x[i]
					}
				}
				var alt []func(any) any
				switch x := v.(type) {
				case int64:
					if key == "id" || strings.HasSuffix(key, "_id") {
						alt = append(alt,
							func(any) any { return strconv.FormatInt(x, 10) },
							func(any) any { return big.NewInt(x) },
							func(any) any { return x })
					}
				case bool:
					b := int64(0)
					if x {
						b = 1
					}
					alt = append(alt, func(any) any { return b })
				case string:
					if key == "state" || key == "status" {
						alt = append(alt, func(any) any { return hva.Symbol(x) })
					}
				}
				for _, f := range alt {
					tried++
					m := edit(base, p, f).(map[string]any)
					back := edit(m, p, func(any) any { return v }).(map[string]any)
					for _, in := range []map[string]any{m, back} {
						got, err := decode(in)
						if assert.NoError(t, err, strings.Join(p, ".")) {
							assert.Equal(t, want, got, strings.Join(p, "."))
						}
					}
				}
			}
			assert.Positive(t, tried)
		})
	}
}

// get_instance_monitor_data's rows, as Wakame gives them.
func TestDecodeMonitorFixture(t *testing.T) {
	rows, ok := fixture(t, "get_instance_monitor_data").([]any)
	require.True(t, ok)
	require.Len(t, rows, 1)
	got, err := hva.DecodeMonitorRow(rows[0].(map[string]any))
	require.NoError(t, err)
	assert.Equal(t, hva.MonitoredInstance{UUID: "i-lucid001", State: "running", Status: "online"}, got)

	row := rows[0].(map[string]any)
	row["state"], row["status"] = hva.Symbol("halting"), hva.Symbol("offline")
	row["created_at"], row["hypervisor"] = int64(1), nil
	got, err = hva.DecodeMonitorRow(row)
	require.NoError(t, err, "Symbol states, unused fields of any type")
	assert.Equal(t, hva.MonitoredInstance{UUID: "i-lucid001", State: "halting", Status: "offline"}, got)

	row["uuid"] = int64(42)
	_, err = hva.DecodeMonitorRow(row)
	require.ErrorIs(t, err, hva.ErrBadInstance)
	assert.Contains(t, err.Error(), "uuid: want a String or Symbol, got Integer")
}

// The checked-in fixtures are what the script writes with this machine's
// Ruby.
func TestFixturesRegenerate(t *testing.T) {
	ruby := testenv.RequireCommand(t, "ruby")
	dir := t.TempDir()
	out, err := exec.Command(ruby, filepath.Join(fixtureDir, "make_fixtures.rb"), dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.marshal"))
	require.NoError(t, err)
	require.Len(t, files, len(decoders)+1)
	for _, f := range files {
		want, err := os.ReadFile(f)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "%s differs from what make_fixtures.rb writes: rerun it and commit", filepath.Base(f))
	}
}
