package hvatest_test

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// wakameFixture decodes one of the dumps real Ruby made
// (hva/testdata/wakame/make_fixtures.rb).
func wakameFixture(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "wakame", name+".marshal"))
	require.NoError(t, err)
	v, err := rubymarshal.Decode(b)
	require.NoError(t, err)
	if h, ok := v.(*rubymarshal.Hash); ok {
		return h.Map()
	}
	out := v.([]any)
	for i, e := range out {
		out[i] = e.(*rubymarshal.Hash).Map()
	}
	return out
}

// class is the Ruby class a Go value stands for.
func class(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "true/false"
	case time.Time:
		return "Time"
	case *big.Int:
		return "Integer"
	case rubymarshal.Symbol, hva.Symbol:
		return "Symbol"
	case rubymarshal.Binary:
		return "String"
	case map[string]any:
		return "Hash"
	case []any:
		return "Array"
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "Integer"
	case reflect.Float64:
		return "Float"
	case reflect.String:
		return "String"
	}
	return fmt.Sprintf("%T", v)
}

// sameShape reports, field by field, where fake differs from real in
// keys or in the class of a value. Hashes keyed by uuid (get_instance's
// volume) compare their first entries; Arrays their first elements.
func sameShape(path string, real, fake any, byUUID map[string]bool) []string {
	if rc, fc := class(real), class(fake); rc != fc {
		return []string{fmt.Sprintf("%s: Wakame gives %s, the fake %s", path, rc, fc)}
	}
	var diffs []string
	switch r := real.(type) {
	case map[string]any:
		f := fake.(map[string]any)
		if byUUID[path] {
			return sameShape(path+".*", first(r), first(f), byUUID)
		}
		keys := map[string]bool{}
		for k := range r {
			keys[k] = true
		}
		for k := range f {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			rv, rok := r[k]
			fv, fok := f[k]
			switch {
			case !fok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing from the fake", path, k))
			case !rok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: Wakame has no such field", path, k))
			default:
				diffs = append(diffs, sameShape(path+"."+k, rv, fv, byUUID)...)
			}
		}
	case []any:
		f := fake.([]any)
		if len(r) > 0 && len(f) > 0 {
			diffs = append(diffs, sameShape(path+"[0]", r[0], f[0], byUUID)...)
		} else if len(r) != len(f) {
			diffs = append(diffs, fmt.Sprintf("%s: Wakame gives %d elements, the fake %d: nothing to compare", path, len(r), len(f)))
		}
	}
	return diffs
}

func first(m map[string]any) any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return nil
	}
	return m[keys[0]]
}

// The fake's hashes have the fields and the value types of what Wakame
// sends, field by field: they come from one table (hvatest.Schema), and
// this test keeps that table on what real Ruby dumped.
func TestFakeMatchesWakameFixtures(t *testing.T) {
	ctx := context.Background()
	col := hvatest.NewCollector()
	inst := hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-shape001", State: "running", ImageURI: "http://h/x-flat.vmdk",
		ImageMD5: "293bec7563280fe2934a3611a3e1dab2", ImageSize: 64 << 30, MACs: []string{"525400000001", "525400000002"},
		LocalVolumes: []int64{10 << 30}, SSHKey: "ssh-rsa AAAA test", UserData: "#!/bin/sh\n"})
	col.AddInstance(inst)
	col.AddBackupObject(hvatest.NewBackupObject("bo-snap0001", "snap-flat.vmdk", 10<<30, ""))

	got, err := col.GetInstance(ctx, "i-shape001")
	require.NoError(t, err)
	require.NoError(t, col.UpdateVolume(ctx, "vol-test0000", map[string]any{"state": "attached", "attached_at": time.Now().UTC()}))
	vol, err := col.GetVolume(ctx, "vol-test0000")
	require.NoError(t, err)
	nic, err := col.GetNIC(ctx, "vif-test0000")
	require.NoError(t, err)
	bo, err := col.GetBackupObject(ctx, "bo-snap0001")
	require.NoError(t, err)
	bo["uri"] = "http://backup.test/images/snap-flat.vmdk" // sta-collector adds it; the store holds the row
	rows, err := col.InstanceMonitorData(ctx, "hva.test")
	require.NoError(t, err)
	require.Len(t, rows, 1)

	for _, tc := range []struct {
		name string
		fake any
	}{
		{"get_instance", got},
		{"get_volume", vol},
		{"get_nic", nic},
		{"get_backup_object", bo},
		{"get_instance_monitor_data", []any{hvatest.MonitorRow(rows[0])}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diffs := sameShape(tc.name, wakameFixture(t, tc.name), tc.fake, map[string]bool{"get_instance.volume": true})
			assert.Empty(t, diffs, "the fake drifted from Wakame:\n%s", strings.Join(diffs, "\n"))
		})
	}
}

// sameShape itself catches a drift: an Integer foreign key written as
// the uuid, as the fake once did.
func TestShapeCatchesDrift(t *testing.T) {
	inst := hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-drift001", LocalVolumes: []int64{1 << 20}})
	vol := inst["volume"].(map[string]any)["vol-test0000"].(map[string]any)
	vol["instance_id"] = "i-drift001"
	real := wakameFixture(t, "get_instance")
	diffs := sameShape("get_instance", real, inst, map[string]bool{"get_instance.volume": true})
	assert.Contains(t, diffs, "get_instance.volume.*.instance_id: Wakame gives Integer, the fake String")
}
