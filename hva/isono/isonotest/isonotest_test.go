package isonotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/hva/isono/isonotest"
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
