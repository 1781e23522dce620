package hvatest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			diffs := hvatest.ShapeDiff(tc.name, wakameFixture(t, tc.name), tc.fake, "get_instance.volume")
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
	diffs := hvatest.ShapeDiff("get_instance", real, inst, "get_instance.volume")
	assert.Contains(t, diffs, "get_instance.volume.*.instance_id: Wakame gives Integer, the fake String")
}
