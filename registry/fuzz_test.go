package registry

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// FuzzPairFromFlat checks the derivation's invariants: only the file name
// changes, exactly one "-flat" less, and base + key gives the flat back.
func FuzzPairFromFlat(f *testing.F) {
	for _, s := range []string{"http://192.168.2.98/ubuntu-lucid-esxi-64-flat.vmdk", "https://h/a-flat/b-flat-flat.vmdk",
		"file:///x/y-flat.vmdk", "http://h/%41-flat.vmdk", "http://h/a.vmdk", "http://u:p@h/a-flat.vmdk", "http://h/-flat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := PairFromFlat(in)
		if err != nil {
			if !strings.Contains(err.Error(), "flat uri") {
				t.Fatalf("error without the field name: %v", err)
			}
			return
		}
		if p.BaseURI+p.ObjectKey != p.FlatURI {
			t.Fatalf("base %q + key %q != flat %q", p.BaseURI, p.ObjectKey, p.FlatURI)
		}
		if !strings.HasPrefix(p.DescriptorURI, p.BaseURI) || strings.Contains(p.DescriptorURI[len(p.BaseURI):], "/") {
			t.Fatalf("descriptor %q is not in %q", p.DescriptorURI, p.BaseURI)
		}
		desc := p.DescriptorURI[len(p.BaseURI):]
		i := strings.LastIndex(p.ObjectKey, "-flat")
		if i <= 0 || desc != p.ObjectKey[:i]+p.ObjectKey[i+len("-flat"):] {
			t.Fatalf("key %q -> descriptor %q is not the last -flat removed", p.ObjectKey, desc)
		}
		if len(desc) != len(p.ObjectKey)-len("-flat") {
			t.Fatalf("key %q -> descriptor %q", p.ObjectKey, desc)
		}
		if again, err := PairFromFlat(p.FlatURI); err != nil || again != p {
			t.Fatalf("not stable: %+v vs %+v (%v)", p, again, err)
		}
	})
}

// FuzzEditSpecs parses arbitrary instance_spec.yml content; when it parses,
// adding a spec must keep every other entry and be idempotent, and removing
// it must give the other entries back.
func FuzzEditSpecs(f *testing.F) {
	f.Add([]byte("vz.small:\n  cpu_cores: 1\n  memory_size: 256\n  hypervisor: 'openvz'\n  quota_weight: 1.0\n"), "esxi.small")
	f.Add([]byte(""), "x")
	f.Add([]byte("# c\na: {cpu_cores: 2}\n"), "a")
	f.Add([]byte("a:\n  cpu_cores: 1\n  extra: [1, 2]\n"), "b")
	f.Add([]byte("- x\n"), "x")
	spec := InstanceSpec{CPUCores: 2, MemorySize: 512, Hypervisor: "esxi", QuotaWeight: 1.5}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		before, err := ParseSpecs(data)
		if err != nil {
			return
		}
		out, _, err := EditSpecs(data, name, &spec)
		if err != nil {
			if !strings.Contains(err.Error(), "spec name") && !strings.Contains(err.Error(), "instance spec") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		after, err := ParseSpecs(out)
		if err != nil {
			t.Fatalf("edited file does not parse: %v\n%s", err, out)
		}
		got := map[string]InstanceSpec{}
		for _, s := range after {
			got[s.Name] = s.InstanceSpec
		}
		if got[name] != spec {
			t.Fatalf("spec %q is %+v after adding %+v\n%s", name, got[name], spec, out)
		}
		for _, s := range before {
			if s.Name != name && got[s.Name] != s.InstanceSpec {
				t.Fatalf("entry %q changed: %+v -> %+v", s.Name, s.InstanceSpec, got[s.Name])
			}
		}
		if _, changed, err := EditSpecs(out, name, &spec); err != nil || changed {
			t.Fatalf("second add changed=%v err=%v", changed, err)
		}
		removed, _, err := EditSpecs(out, name, nil)
		if err != nil {
			t.Fatalf("remove: %v", err)
		}
		rest, err := ParseSpecs(removed)
		if err != nil {
			t.Fatalf("file after remove does not parse: %v", err)
		}
		for _, s := range rest {
			if s.Name == name {
				t.Fatalf("%q still there after remove", name)
			}
		}
	})
}

// FuzzParseAPIError feeds arbitrary error bodies.
func FuzzParseAPIError(f *testing.F) {
	f.Add(404, []byte(`{"error":"Dcmgr::Endpoints::UnknownUUIDResource","message":"hn-x","code":"100"}`))
	f.Add(500, []byte("<h1>Internal Server Error</h1>"))
	f.Add(400, []byte(`{"error":"","code":1}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseAPIError(status, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if e.Class == "" && len(e.Message) > 203 {
			t.Fatalf("message not bounded: %d bytes", len(e.Message))
		}
		_ = e.Error()
	})
}

// FuzzParseTime feeds arbitrary timestamps; a parsed one round-trips
// through JSON.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2012-03-29T10:00:00Z", "2012-03-29 10:00:00 UTC", "2012-03-29 19:00:00 +0900", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err != nil || tm.IsZero() || !utf8.ValidString(s) {
			return
		}
		if tm.Year() < 0 || tm.Year() > 9999 {
			return
		}
		b, err := tm.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal %v: %v", tm, err)
		}
		var back Time
		if err := back.UnmarshalJSON(b); err != nil || back.Unix() != tm.Unix() {
			t.Fatalf("round trip %s -> %s -> %v (%v)", s, b, back, err)
		}
	})
}
