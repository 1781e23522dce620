package hvatest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

func TestCollectorAnswersAndRecords(t *testing.T) {
	ctx := context.Background()
	c := hvatest.NewCollector()
	c.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-1", MACs: []string{"525400000001"}, LocalVolumes: []int64{1 << 20}}))

	m, err := c.GetInstance(ctx, "i-1")
	require.NoError(t, err)
	inst, err := hva.DecodeInstance(m)
	require.NoError(t, err, "NewInstance builds what DecodeInstance accepts")
	require.Len(t, inst.Volumes, 1)

	// The answer is a copy: changing it changes nothing stored.
	m["state"] = "mangled"
	assert.Equal(t, "initializing", c.State("i-1"))

	require.NoError(t, c.UpdateInstance(ctx, "i-1", map[string]any{"state": hva.Symbol("running")}))
	assert.Equal(t, "running", c.State("i-1"))
	_, err = c.GetInstance(ctx, "i-nope")
	require.ErrorIs(t, err, hvatest.ErrUnknown)
	assert.Contains(t, err.Error(), "UnknownInstanceID")

	// {state: terminated} finalizes, as Wakame's update_instance does.
	require.NoError(t, c.UpdateInstance(ctx, "i-1", map[string]any{"state": hva.Symbol("terminated"), "terminated_at": time.Unix(0, 0)}))
	assert.Equal(t, "terminated", c.State("i-1"))
	assert.Equal(t, "deleting", c.VolumeState("vol-test0000"), "alive volumes go to deleting")
	assert.Equal(t, []string{"get_instance", "update_instance", "get_instance", "update_instance"}, c.Methods())
	assert.Len(t, c.Updates("update_instance", "i-1"), 2)

	boom := errors.New("down")
	c.Fail("get_volume", 1, boom)
	_, err = c.GetVolume(ctx, "vol-test0000")
	require.ErrorIs(t, err, boom)
	v, err := c.GetVolume(ctx, "vol-test0000")
	require.NoError(t, err, "the fault was for one call")
	assert.Equal(t, hvatest.RowID("i-1"), v["instance_id"], "a foreign key is the instance's row id, as in Wakame")

	nic, err := c.GetNIC(ctx, "vif-test0000")
	require.NoError(t, err)
	assert.Equal(t, "i-1", nic["instance_uuid"])
}

func TestInstanceMonitorData(t *testing.T) {
	ctx := context.Background()
	c := hvatest.NewCollector()
	c.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-run", State: "running", NodeID: "hva.a"}))
	c.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-halt", State: "halted", NodeID: "hva.a"}))
	c.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-other", State: "running", NodeID: "hva.b"}))
	rows, err := c.InstanceMonitorData(ctx, "hva.a")
	require.NoError(t, err)
	assert.Equal(t, []hva.MonitoredInstance{{UUID: "i-run", State: "running", Status: "online"}}, rows)
}

func TestEvents(t *testing.T) {
	var ev hvatest.Events
	require.NoError(t, ev.Publish(context.Background(), "hva/instance_started", "i-1"))
	require.NoError(t, ev.Publish(context.Background(), "hva/volume_attached", "i-1", "vol-1"))
	assert.Equal(t, []string{"hva/instance_started(i-1)", "hva/volume_attached(i-1, vol-1)"}, ev.Strings())
	assert.Equal(t, 1, ev.Count("hva/volume_attached"))
	ev.Reset()
	assert.Empty(t, ev.All())
}
