package isono_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// rawJobs publishes bodies to an agent's job queue as a hostile peer
// would and returns each answer's body, in order.
func rawJobs(t *testing.T, url, nodeID string, bodies ...[]byte) [][]byte {
	t.Helper()
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	replies, err := ch.QueueDeclare("", false, true, true, false, nil)
	require.NoError(t, err)
	ds, err := ch.Consume(replies.Name, "", true, true, false, false, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var answers [][]byte
	for i, body := range bodies {
		ticket := "ticket-" + string(rune('a'+i))
		require.NoError(t, ch.PublishWithContext(ctx, "", isono.EndpointQueue("job.hva-handle."+nodeID), false, false, amqp.Publishing{
			MessageId: ticket, ReplyTo: replies.Name, Body: body,
		}))
		select {
		case d := <-ds:
			require.Equal(t, ticket, d.MessageId)
			answers = append(answers, d.Body)
		case <-ctx.Done():
			t.Fatalf("no answer to body %d", i)
		}
	}
	return answers
}

// answerOf decodes an answer {type:, msg: {message:, error_type:}}.
func answerOf(t *testing.T, body []byte) (typ, message string) {
	t.Helper()
	m, err := rubymarshal.DecodeMap(body)
	require.NoError(t, err)
	typ = rubymarshal.KeyText(m["type"])
	if msg, ok := m["msg"].(map[string]any); ok {
		message = rubymarshal.KeyText(msg["message"])
	}
	return typ, message
}

// The job bodies of issue 13 item 1, made by real Ruby (81 KB that expand
// to 512 MiB through links to one String, and 17 KB whose hash key is an
// Array of links 512 MiB long), each get an error answer without running,
// and the agent goes on serving.
func TestJobTooLargeOnceExpandedGetsErrorAnswer(t *testing.T) {
	e := newEnv(t)
	id := uniqueID("hva")
	jobs := &fakeJobs{}
	e.agent(t, id, jobs)

	var bodies [][]byte
	for _, name := range []string{"linked_string", "array_key"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "rubymarshal", "testdata", "hostile", name+".bin"))
		require.NoError(t, err)
		bodies = append(bodies, b)
	}
	for i, body := range rawJobs(t, e.url, id, bodies...) {
		typ, msg := answerOf(t, body)
		assert.Equal(t, "error", typ, "body %d", i)
		assert.Contains(t, msg, isono.ErrTooLarge.Error(), "body %d", i)
		assert.Less(t, len(body), 1024, "the answer does not echo the body")
	}
	assert.Zero(t, jobs.runs.Load(), "no job ran")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-after"))
	assert.Equal(t, []string{"hva-handle/reboot[i-after]"}, jobs.Jobs())
}

// Options.MaxDecodedBytes is the limit the agent applies to job bodies.
func TestMaxDecodedBytesOption(t *testing.T) {
	e := newEnv(t)
	id := uniqueID("hva")
	n, err := isono.Dial(context.Background(), isono.Options{URL: e.url, NodeID: id, Logger: quiet(), MaxDecodedBytes: 4096})
	require.NoError(t, err)
	jobs := &fakeJobs{}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.ServeHVA(sctx, jobs, isono.AgentOptions{Heartbeat: 200 * time.Millisecond}) }()
	t.Cleanup(func() {
		stop()
		assert.NoError(t, <-done)
		assert.NoError(t, n.Close())
	})
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.WaitOnline(wctx, id))

	err = e.wakame.Submit(wctx, "hva-handle", id, "reboot", strings.Repeat("i", 5000))
	var re *isono.RemoteError
	require.ErrorAs(t, err, &re, "5000 bytes are over the 4096 allowed")
	assert.Contains(t, re.Message, isono.ErrTooLarge.Error())
	assert.Equal(t, "ArgumentError", re.Type)
	require.NoError(t, e.wakame.Submit(wctx, "hva-handle", id, "reboot", strings.Repeat("i", 3000)))
	assert.Len(t, jobs.Jobs(), 1)
}

// A broker URL whose password holds '/', '?', '#' or '@' never shows it
// in Dial's error (net/url cannot parse most of them).
func TestBadBrokerURLHidesPassword(t *testing.T) {
	for _, pw := range []string{"pa/ss", "pa?ss", "pa#ss", "p%zz@ss"} {
		url := "amqp://guest:" + pw + "@127.0.0.1:1/"
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: uniqueID("hva"), Logger: quiet()})
		cancel()
		require.Error(t, err, pw)
		assert.NotContains(t, err.Error(), pw)
		assert.Contains(t, err.Error(), "127.0.0.1:1", "the broker is still named")
	}
}

// An answer that expands beyond the limits fails its call with
// ErrTooLarge (and ErrBadMessage), and the node goes on working.
func TestAnswerTooLargeOnceExpanded(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	n, err := isono.Dial(context.Background(), isono.Options{URL: url, NodeID: uniqueID("hva"), Logger: quiet(), CallTimeout: 10 * time.Second})
	require.NoError(t, err)
	defer n.Close()

	endpoint := "hostile-" + uniqueID("x")
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	q, err := ch.QueueDeclare(isono.EndpointQueue(endpoint), false, true, false, false, nil)
	require.NoError(t, err)
	ds, err := ch.Consume(q.Name, "", true, false, false, false, nil)
	require.NoError(t, err)
	hostile, err := os.ReadFile(filepath.Join("..", "..", "internal", "rubymarshal", "testdata", "hostile", "linked_string.bin"))
	require.NoError(t, err)
	normal, err := rubymarshal.Encode(map[string]any{"type": rubymarshal.Symbol("success"), "msg": "fine"})
	require.NoError(t, err)
	go func() {
		for i := 0; ; i++ {
			d, ok := <-ds
			if !ok {
				return
			}
			body := hostile
			if i > 0 {
				body = normal
			}
			_ = ch.PublishWithContext(context.Background(), "", d.ReplyTo, false, false, amqp.Publishing{MessageId: d.MessageId, Body: body})
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = n.Call(ctx, endpoint, "get_instance", "i-x")
	require.ErrorIs(t, err, isono.ErrTooLarge)
	require.ErrorIs(t, err, isono.ErrBadMessage)
	got, err := n.Call(ctx, endpoint, "get_instance", "i-x")
	require.NoError(t, err)
	assert.Equal(t, "fine", got)
}
