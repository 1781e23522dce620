package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// vhost is this package's RabbitMQ virtual host (scripts/testenv.sh
// creates it); no other package serves collector queues there.
const vhost = "esxi-hva-examples"

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func checkSummary(t *testing.T, s *summary, out string) {
	t.Helper()
	assert.Equal(t, []string{"running", "running", "halted", "running", "terminated"}, s.States)
	assert.Zero(t, s.VMsLeft, "no VM left")
	assert.False(t, s.FolderLeft, "no instance folder left")
	assert.True(t, s.Cached, "the image stays cached")
	assert.Equal(t, int64(2), s.FlatRequests, "the flat was read twice: the registration's md5 check and the one download")
	require.Len(t, s.Hosts, 1)
	assert.Equal(t, "hva.demo", s.Hosts[0].NodeID)
	assert.Equal(t, "online", s.Hosts[0].Status)
	require.Len(t, s.Images, 1)
	assert.Contains(t, out, "all steps passed")
	assert.Contains(t, out, "image    [##############################] 100%", "the progress bar reaches the end")
}

// consume makes a consumer of queue on the broker at url, as a real
// Wakame collector would be; it returns the deliveries.
func consume(t *testing.T, url, queue string) <-chan amqp.Delivery {
	t.Helper()
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	require.NoError(t, err)
	_, err = ch.QueueDeclare(queue, false, true, false, false, nil)
	require.NoError(t, err)
	ds, err := ch.Consume(queue, "", false, false, false, false, nil)
	require.NoError(t, err)
	return ds
}

func consumers(t *testing.T, url string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := isono.QueueConsumers(ctx, isono.Options{URL: url}, collectorQueues...)
	require.NoError(t, err)
	return got
}

// The default needs no broker and touches none, even when one answers at
// the default address with a collector consuming on "/".
func TestSimulateInProcessByDefault(t *testing.T) {
	var real <-chan amqp.Delivery
	rootURL := ""
	if testenv.InCI() || os.Getenv("AMQP_URL") != "" {
		rootURL = testenv.AMQPURL(t)
	} else if c, err := amqp.Dial(testenv.DefaultAMQPURL); err == nil {
		c.Close()
		rootURL = testenv.DefaultAMQPURL
	}
	if rootURL != "" {
		real = consume(t, rootURL, isono.EndpointQueue(isono.HVACollector))
	}
	var out bytes.Buffer
	f, err := parseFlags(nil, &out)
	require.NoError(t, err)
	s, err := simulateSummary(context.Background(), f, &out, quiet())
	require.NoError(t, err, out.String())
	assert.False(t, s.OverAMQP)
	checkSummary(t, s, out.String())
	assert.Contains(t, s.Events, "hva/instance_started")
	assert.Contains(t, s.Events, "hva/instance_terminated")
	assert.Contains(t, out.String(), "no broker touched")
	if real != nil {
		select {
		case d := <-real:
			t.Fatalf("the collector on \"/\" got a message from the simulation: %q", d.Body)
		default:
		}
		assert.Equal(t, 1, consumers(t, rootURL)[isono.EndpointQueue(isono.HVACollector)], "\"/\" keeps its one collector")

		// Naming "/" explicitly is refused while that collector consumes.
		u, err := url.Parse(rootURL)
		require.NoError(t, err)
		u.Path, u.RawPath = "//", "/%2f"
		out.Reset()
		f, err := parseFlags([]string{"-broker", u.String()}, &out)
		require.NoError(t, err)
		_, err = simulateSummary(context.Background(), f, &out, quiet())
		require.ErrorIs(t, err, ErrCollectorServed)
		assert.Contains(t, err.Error(), `vhost "/"`)
		select {
		case d := <-real:
			t.Fatalf("the collector on \"/\" got a message from the simulation: %q", d.Body)
		default:
		}
	}
}

func TestSimulateOverRabbitMQ(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	var out bytes.Buffer
	f, err := parseFlags([]string{"-broker", url}, &out)
	require.NoError(t, err)
	s, err := simulateSummary(context.Background(), f, &out, quiet())
	require.NoError(t, err, out.String())
	assert.True(t, s.OverAMQP, "-broker names a broker, so the jobs go over AMQP")
	checkSummary(t, s, out.String())
	assert.Contains(t, out.String(), "hva.demo is online")
	assert.Equal(t, map[string]int{}, nonZero(consumers(t, url)), "the simulation's collectors are gone")
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// With a collector already consuming on the named vhost, the simulation
// refuses, says what to do, and serves nothing.
func TestSimulateRefusesAServedCollector(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	hvaCollector := isono.EndpointQueue(isono.HVACollector)
	real := consume(t, url, hvaCollector)

	var out bytes.Buffer
	f, err := parseFlags([]string{"-broker", url}, &out)
	require.NoError(t, err)
	s, err := simulateSummary(context.Background(), f, &out, quiet())
	require.ErrorIs(t, err, ErrCollectorServed)
	msg := err.Error()
	assert.Contains(t, msg, hvaCollector)
	assert.Contains(t, msg, `vhost "`+vhost+`"`)
	assert.Contains(t, msg, "run without -broker")
	assert.Contains(t, msg, "rabbitmqctl add_vhost "+simVhost)
	assert.NotContains(t, msg, "guest:guest@127", "no password in the message")

	assert.NotContains(t, out.String(), "simulated ESXi", "nothing was started")
	assert.Empty(t, s.States, "no job ran")
	assert.Equal(t, map[string]int{hvaCollector: 1}, nonZero(consumers(t, url)), "only the real collector consumes")
	select {
	case d := <-real:
		t.Fatalf("the real collector got a message: %q", d.Body)
	default:
	}
}

// A -broker without a vhost means the simulation's own vhost, never "/".
func TestBrokerURL(t *testing.T) {
	for in, want := range map[string]string{
		"amqp://127.0.0.1:5672/":            "amqp://127.0.0.1:5672/" + simVhost,
		"amqp://guest:guest@127.0.0.1:5672": "amqp://guest:guest@127.0.0.1:5672/" + simVhost,
		"amqp://h:5672/mine":                "amqp://h:5672/mine",
		"amqps://h:5671/":                   "amqps://h:5671/" + simVhost,
		"amqp://h:5672/%2f":                 "amqp://h:5672/%2f",
	} {
		got, err := brokerURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	assert.Equal(t, "/", vhostOf("amqp://h:5672/%2f"), "naming / explicitly is possible (and still checked)")
	for _, bad := range []string{"127.0.0.1:5672", "http://h/", "amqp:///x"} {
		_, err := brokerURL(bad)
		assert.Error(t, err, bad)
	}
}

// Without a vhost in -broker the simulation goes to its own vhost: when
// the broker lacks it, the error says how to create it.
func TestSimulateMissingVhostSaysWhatToDo(t *testing.T) {
	testenv.AMQPURL(t)
	missing := fmt.Sprintf("esxi-hva-missing-%d", time.Now().UnixNano())
	url := testenv.AMQPVhostURL(t, missing)
	err := checkBroker(context.Background(), url)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)
	assert.Contains(t, err.Error(), "rabbitmqctl add_vhost "+simVhost)
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: simulate")
	assert.Contains(t, errOut.String(), "no subcommands")
	assert.Contains(t, errOut.String(), "-broker")
	assert.Empty(t, out.String(), "nothing ran")
}
