package isono_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/hva/isono/isonotest"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// vhost is this package's own RabbitMQ virtual host (scripts/testenv.sh
// creates it), so that the fixed collector endpoint names are not shared
// with other packages tested at the same time.
const vhost = "esxi-hva-isono"

var seq atomic.Int64

// uniqueID returns a node id no other test uses.
func uniqueID(prefix string) string {
	return fmt.Sprintf("%s.t%d-%d", prefix, time.Now().UnixNano()%1e6, seq.Add(1))
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// fakeJobs records the jobs dispatched to it.
type fakeJobs struct {
	mu    sync.Mutex
	jobs  []string
	block chan struct{} // when set, jobs wait for it
	runs  atomic.Int64
	fail  error
}

func (f *fakeJobs) Dispatch(ctx context.Context, endpoint, job string, args []any) error {
	f.runs.Add(1)
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	f.jobs = append(f.jobs, fmt.Sprintf("%s/%s%v", endpoint, job, args))
	f.mu.Unlock()
	return f.fail
}

func (f *fakeJobs) Concurrency() int { return 2 }

func (f *fakeJobs) Jobs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.jobs...)
}

type env struct {
	url    string
	wakame *isonotest.Wakame
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

func newEnvTB(t testing.TB) *env {
	t.Helper()
	url := testenv.AMQPVhostURL(t, vhost)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := isonotest.Start(ctx, url, hvatest.NewCollector(), quiet())
	require.NoError(t, err, "vhost %s must exist: run scripts/testenv.sh", vhost)
	t.Cleanup(func() { w.Close() })
	return &env{url: url, wakame: w}
}

// agent dials a node and serves d until the test ends.
func (e *env) agent(t *testing.T, nodeID string, d isono.Dispatcher) *isono.Node {
	return e.agentTB(t, nodeID, d)
}

func (e *env) agentTB(t testing.TB, nodeID string, d isono.Dispatcher) *isono.Node {
	t.Helper()
	ctx := context.Background()
	n, err := isono.Dial(ctx, isono.Options{URL: e.url, NodeID: nodeID, Logger: quiet(), CallTimeout: 10 * time.Second})
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- n.ServeHVA(sctx, d, isono.AgentOptions{Heartbeat: 200 * time.Millisecond, ShutdownGrace: 5 * time.Second})
	}()
	t.Cleanup(func() {
		stop()
		assert.NoError(t, <-done)
		assert.NoError(t, n.Close())
	})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.WaitOnline(wctx, nodeID), "the agent comes online by heartbeat")
	return n
}

func TestAgentComesOnlineAndRunsJobs(t *testing.T) {
	// Registered first, so it runs after every other cleanup.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	e := newEnv(t)
	id := uniqueID("hva")
	jobs := &fakeJobs{}
	e.agent(t, id, jobs)

	hb := e.wakame.Notifies(id)
	require.NotEmpty(t, hb)
	assert.Len(t, hb[0].BootToken, 5, "boot token: 5 hex digits of SHA-1(pid)")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-abc"))
	require.NoError(t, e.wakame.Submit(ctx, "local-store-handle", id, "delete_volume", "i-abc", "vol-1"))
	assert.Equal(t, []string{"hva-handle/reboot[i-abc]", "local-store-handle/delete_volume[i-abc vol-1]"}, jobs.Jobs())

	jobs.fail = fmt.Errorf("%w: boom", hva.ErrInvalidState)
	err := e.wakame.Submit(ctx, "hva-handle", id, "stop", "i-abc")
	var re *isono.RemoteError
	require.ErrorAs(t, err, &re, "a failed job is an error answer")
	assert.Contains(t, re.Message, "boom")
	assert.Equal(t, "RuntimeError", re.Type)

	recs := e.wakame.JobRecords()
	require.GreaterOrEqual(t, len(recs), 4, "job-collector gets a record at start and end of each job")
	// The records are oneshot: wait for the last one to land.
	require.Eventually(t, func() bool {
		for _, r := range e.wakame.JobRecords() {
			if fmt.Sprint(r["job_name"]) == "stop" && fmt.Sprint(r["state"]) == "failed" {
				return true
			}
		}
		return false
	}, 5*time.Second, 20*time.Millisecond)
}

func TestTwoAgentsWithOneID(t *testing.T) {
	e := newEnv(t)
	id := uniqueID("hva")
	e.agent(t, id, &fakeJobs{})
	_, err := isono.Dial(context.Background(), isono.Options{URL: e.url, NodeID: id, Logger: quiet()})
	require.ErrorIs(t, err, isono.ErrNodeIDInUse)
	assert.Contains(t, err.Error(), id)
}

func TestEightAgentsGetOnlyTheirJobs(t *testing.T) {
	e := newEnv(t)
	const agents = 8
	ids := make([]string, agents)
	fakes := make([]*fakeJobs, agents)
	for i := range ids {
		ids[i], fakes[i] = uniqueID("hva"), &fakeJobs{}
		e.agent(t, ids[i], fakes[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, agents*3)
	for i := range ids {
		for j := 0; j < 3; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- e.wakame.Submit(ctx, "hva-handle", ids[i], "reboot", fmt.Sprintf("i-%d-%d", i, j))
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i, f := range fakes {
		got := f.Jobs()
		assert.Len(t, got, 3, "agent %d", i)
		for _, j := range got {
			assert.Contains(t, j, fmt.Sprintf("[i-%d-", i), "agent %d ran another agent's job", i)
		}
	}
}

func TestRPCTimeout(t *testing.T) {
	url := testenv.AMQPVhostURL(t, vhost)
	n, err := isono.Dial(context.Background(), isono.Options{URL: url, NodeID: uniqueID("hva"), Logger: quiet(), CallTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	defer n.Close()
	start := time.Now()
	_, err = n.Call(context.Background(), "nobody-serves-this-"+uniqueID("x"), "get_instance", "i-x")
	require.ErrorIs(t, err, isono.ErrTimeout)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Contains(t, err.Error(), "get_instance")
}

// A body that is not Marshal data gets an error answer, and the agent
// goes on serving.
func TestMalformedJobGetsErrorAnswer(t *testing.T) {
	e := newEnv(t)
	id := uniqueID("hva")
	jobs := &fakeJobs{}
	e.agent(t, id, jobs)

	answers := rawJobs(t, e.url, id, []byte("\x04\x08{\x06:\x0bcommand")) // cut short
	assert.Contains(t, string(answers[0]), "error", "the answer is of type :error")
	assert.Contains(t, string(answers[0]), "ArgumentError")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-after"))
	assert.Equal(t, []string{"hva-handle/reboot[i-after]"}, jobs.Jobs())
}

// The broker connection is cut while a job runs. Isono's job queues are
// auto-delete, so the broker drops the queue (and the unacknowledged
// request) with the consumer: the job is not delivered again. The agent
// keeps running it, answers on its new connection, and the job completes
// exactly once; the node then serves new jobs on the new connection.
func TestConnectionKilledMidJob(t *testing.T) {
	e := newEnv(t)
	id := uniqueID("hva")
	jobs := &fakeJobs{block: make(chan struct{})}
	n := e.agent(t, id, jobs)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-cut") }()
	require.Eventually(t, func() bool { return jobs.runs.Load() == 1 }, 10*time.Second, 10*time.Millisecond)
	n.ForceDisconnect()
	close(jobs.block) // the job finishes after its channel died: its ack is lost
	require.NoError(t, <-done, "the answer goes out on the new connection")
	require.NoError(t, e.wakame.Submit(ctx, "hva-handle", id, "reboot", "i-next"))
	time.Sleep(300 * time.Millisecond) // room for a duplicate delivery to show up
	assert.Equal(t, []string{"hva-handle/reboot[i-cut]", "hva-handle/reboot[i-next]"}, jobs.Jobs(), "each job ran exactly once")
	assert.Equal(t, int64(2), jobs.runs.Load())
}

func TestCallAnsweredAfterReconnect(t *testing.T) {
	e := newEnv(t)
	e.wakame.Collector.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-rc", MACs: []string{"525400000001"}}))
	n, err := isono.Dial(context.Background(), isono.Options{URL: e.url, NodeID: uniqueID("hva"), Logger: quiet()})
	require.NoError(t, err)
	defer n.Close()
	n.ForceDisconnect()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := n.Collector().GetInstance(ctx, "i-rc")
	require.NoError(t, err)
	assert.Equal(t, "i-rc", got["uuid"])
	assert.Equal(t, "initializing", got["state"], "a state is a String, as Wakame reads it from its database")

	require.NoError(t, n.Collector().UpdateInstance(ctx, "i-rc", map[string]any{"state": hva.Symbol("running")}))
	assert.Equal(t, "running", e.wakame.Collector.State("i-rc"))
	_, err = n.Collector().GetInstance(ctx, "i-missing")
	var re *isono.RemoteError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, re.Message, "UnknownInstanceID")
	assert.False(t, errors.Is(err, isono.ErrTimeout))
}
