package isono_test

import (
	"context"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func TestConnectedAndReconnects(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	ctx := context.Background()
	n, err := isono.Dial(ctx, isono.Options{URL: url, NodeID: uniqueID("hva.health"), Logger: quiet(), ReconnectMin: 10 * time.Millisecond})
	require.NoError(t, err)
	assert.True(t, n.Connected())
	assert.Zero(t, n.Reconnects())

	n.ForceDisconnect()
	require.Eventually(t, func() bool { return n.Reconnects() == 1 && n.Connected() }, 20*time.Second, 20*time.Millisecond,
		"the node reconnects and counts it")

	require.NoError(t, n.Close())
	assert.False(t, n.Connected(), "a closed node is not connected")
}

func TestQueueConsumers(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	served, missing := uniqueID("consumed"), uniqueID("missing")

	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	_, err = ch.QueueDeclare(served, false, true, false, false, nil)
	require.NoError(t, err)
	_, err = ch.Consume(served, "", true, false, false, false, nil)
	require.NoError(t, err)

	got, err := isono.QueueConsumers(ctx, isono.Options{URL: url}, served, missing)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{served: 1, missing: 0}, got)

	// It only looks: the missing queue was not created.
	_, err = ch.QueueDeclarePassive(missing, false, false, false, false, nil)
	require.Error(t, err, "QueueConsumers must not declare the queues it inspects")

	_, err = isono.QueueConsumers(ctx, isono.Options{URL: "amqp://guest:secret@127.0.0.1:1/"}, served)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret", "no password in errors")
}
