package isonotest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/hva/isono/isonotest"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// The collector endpoints answer an HVA's RPCs from the in-memory
// collector, and unknown commands come back as Ruby's NameError does.
func TestCollectorEndpoints(t *testing.T) {
	url := testenv.AMQPVhostURL(t, "esxi-hva-isonotest")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	col := hvatest.NewCollector()
	col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-w1", State: "running", NodeID: "hva.isonotest", MACs: []string{"525400000001"}}))
	w, err := isonotest.Start(ctx, url, col, nil)
	require.NoError(t, err)
	defer w.Close()

	n, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: "hva.isonotest-client"})
	require.NoError(t, err)
	defer n.Close()
	c := n.Collector()
	rows, err := c.InstanceMonitorData(ctx, "hva.isonotest")
	require.NoError(t, err)
	assert.Equal(t, []hva.MonitoredInstance{{UUID: "i-w1", State: "running", Status: "online"}}, rows)
	nic, err := c.GetNIC(ctx, "vif-test0000")
	require.NoError(t, err)
	assert.Equal(t, "i-w1", nic["instance_uuid"])
	require.NoError(t, c.FinalizeInstance(ctx, "i-w1", time.Now()))
	assert.Equal(t, "terminated", col.State("i-w1"))
	_, err = n.Call(ctx, isono.HVACollector, "no_such_command")
	var re *isono.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, re.Message, "undefined method")

	require.NoError(t, n.Notify(ctx, isono.NodeCollector, "notify", "hva.isonotest-client", "abcde"))
	require.NoError(t, w.WaitOnline(ctx, "hva.isonotest-client"))
	assert.Equal(t, "abcde", w.Notifies("hva.isonotest-client")[0].BootToken)
}

// What isonotest serves over the broker has the fields and the types of
// what a real Wakame sends (the dumps real Ruby made), after the trip
// through Marshal both ways.
func TestServedAnswersMatchWakame(t *testing.T) {
	url := testenv.AMQPVhostURL(t, "esxi-hva-isonotest")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	col := hvatest.NewCollector()
	col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-wire0001", State: "running", NodeID: "hva.wiretest",
		ImageURI: "http://h/x-flat.vmdk", ImageMD5: "293bec7563280fe2934a3611a3e1dab2", ImageSize: 64 << 30,
		MACs: []string{"525400000001", "525400000002"}, LocalVolumes: []int64{10 << 30}, SSHKey: "ssh-rsa AAAA test", UserData: "#!/bin/sh\n"}))
	w, err := isonotest.Start(ctx, url, col, nil)
	require.NoError(t, err)
	defer w.Close()
	n, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: "hva.wiretest-client"})
	require.NoError(t, err)
	defer n.Close()

	for _, tc := range []struct{ fixture, command, arg string }{
		{"get_instance", "get_instance", "i-wire0001"},
		{"get_instance_monitor_data", "get_instance_monitor_data", "hva.wiretest"},
		{"get_nic", "get_nic", "vif-test0000"},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "wakame", tc.fixture+".marshal"))
		require.NoError(t, err)
		real, err := rubymarshal.Decode(b)
		require.NoError(t, err)
		got, err := n.Call(ctx, isono.HVACollector, tc.command, tc.arg)
		require.NoError(t, err)
		diffs := hvatest.ShapeDiff(tc.fixture, plain(real), got, "get_instance.volume")
		assert.Empty(t, diffs, "isonotest's %s drifted from Wakame:\n%s", tc.command, strings.Join(diffs, "\n"))
	}
}

// plain turns decoded Marshal Hashes into maps, as the transport does.
func plain(v any) any {
	switch x := v.(type) {
	case *rubymarshal.Hash:
		m := x.Map()
		for k, e := range m {
			m[k] = plain(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
	}
	return v
}
