package isono_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// eventTap collects the routing keys published on isono.event.
func eventTap(t *testing.T, url, nodeID string) <-chan string {
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, ch.ExchangeDeclare(isono.EventExchange, "topic", false, false, false, false, nil))
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	require.NoError(t, err)
	require.NoError(t, ch.QueueBind(q.Name, "#."+nodeID, isono.EventExchange, false, nil))
	ds, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	require.NoError(t, err)
	out := make(chan string, 100)
	go func() {
		for d := range ds {
			v, err := rubymarshal.Decode(d.Body)
			if err != nil {
				out <- "undecodable: " + err.Error()
				continue
			}
			h := v.(*rubymarshal.Hash)
			args, _ := h.Get("args")
			ev, _ := h.Get("event")
			out <- fmt.Sprintf("%s %v %v", d.RoutingKey, ev, args)
		}
		close(out)
	}()
	return out
}

func drain(ch <-chan string) []string {
	var out []string
	for {
		select {
		case e := <-ch:
			out = append(out, e)
		case <-time.After(300 * time.Millisecond):
			return out
		}
	}
}

// The whole life of an instance driven over AMQP: Wakame (isonotest)
// submits the jobs, the agent runs them on vcsim through hva, answers,
// updates the collector and publishes events.
func TestLifecycleOverAMQP(t *testing.T) {
	e := newEnv(t)
	testLifecycleOverAMQP(t, e, esxitest.New(t))
}

// The same on an agent of an ESXi host that a vCenter manages: its VM is
// created on that host and the datastore transfers go to it directly.
func TestVCenterLifecycleOverAMQP(t *testing.T) {
	e := newEnv(t)
	sim := esxitest.NewVCenter(t)
	testLifecycleOverAMQP(t, e, sim)
	tr := sim.Transfers()
	require.NotEmpty(t, tr)
	for _, x := range tr {
		assert.Equal(t, sim.Hosts()[0], x.Server, "%s %s", x.Method, x.URL)
	}
}

func testLifecycleOverAMQP(t *testing.T, e *env, sim *esxitest.Env) {
	id := uniqueID("hva")
	ctx := context.Background()

	hv := sim.Connect(t)
	img := imagetest.NewServer(t, 1<<20)
	const inst = "i-amqp0001"
	e.wakame.Collector.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: inst, NodeID: id, MACs: []string{"525400aa0001"},
		ImageURI: img.FlatURL(), ImageMD5: img.MD5(), ImageSize: img.Size()}))

	n, err := isono.Dial(ctx, isono.Options{URL: e.url, NodeID: id, Logger: quiet()})
	require.NoError(t, err)
	h, err := hva.New(hva.Options{NodeID: id, Hypervisor: hv, Collector: n.Collector(), Events: n.Events(), Logger: quiet()})
	require.NoError(t, err)
	events := eventTap(t, e.url, id)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- n.ServeHVA(sctx, h, isono.AgentOptions{Heartbeat: time.Second}) }()
	t.Cleanup(func() {
		stop()
		assert.NoError(t, <-served)
		n.Close()
	})

	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.WaitOnline(wctx, id))
	steps := []struct {
		job   string
		state string
		power esxi.PowerState
	}{
		{"run_local_store", "running", esxi.PoweredOn},
		{"reboot", "running", esxi.PoweredOn},
		{"poweroff", "halted", esxi.PoweredOff},
		{"poweron", "running", esxi.PoweredOn},
		{"terminate", "terminated", ""},
	}
	for _, s := range steps {
		require.NoError(t, e.wakame.Submit(wctx, "hva-handle", id, s.job, inst), s.job)
		assert.Equal(t, s.state, e.wakame.Collector.State(inst), "after %s", s.job)
		if s.power != "" {
			st, err := hv.PowerState(ctx, inst)
			require.NoError(t, err)
			assert.Equal(t, s.power, st, "after %s", s.job)
		}
	}
	_, err = hv.VM(ctx, inst)
	require.ErrorIs(t, err, esxi.ErrNotFound)
	// A state the job refuses comes back as an error answer naming it.
	err = e.wakame.Submit(wctx, "hva-handle", id, "poweron", inst)
	var re *isono.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, re.Message, "invalid state")

	got := drain(events)
	assert.Contains(t, got, "hva/instance_started."+id+" hva/instance_started ["+inst+"]")
	assert.Contains(t, got, "hva/instance_turnedoff."+id+" hva/instance_turnedoff ["+inst+"]")
	assert.Contains(t, got, "hva/instance_terminated."+id+" hva/instance_terminated ["+inst+"]")
	assert.Contains(t, got, id+"/instance_terminated."+id+" "+id+"/instance_terminated ["+inst+"]")

	// The collector saw Symbols for states, as Wakame needs.
	ups := e.wakame.Collector.Updates("update_instance", inst)
	require.NotEmpty(t, ups)
	assert.Equal(t, hva.Symbol("running"), ups[0]["state"])
}
