package hva_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

// misdirected is a collector that answers a get_* for one id with
// another object's hash, as a confused or hostile collector could.
type misdirected struct {
	*hvatest.Collector
	to map[string]string
}

func (m misdirected) swap(id string) string {
	if other, ok := m.to[id]; ok {
		return other
	}
	return id
}

func (m misdirected) GetInstance(ctx context.Context, id string) (map[string]any, error) {
	return m.Collector.GetInstance(ctx, m.swap(id))
}

func (m misdirected) GetVolume(ctx context.Context, id string) (map[string]any, error) {
	return m.Collector.GetVolume(ctx, m.swap(id))
}

func (m misdirected) GetBackupObject(ctx context.Context, id string) (map[string]any, error) {
	return m.Collector.GetBackupObject(ctx, m.swap(id))
}

func (m misdirected) GetNIC(ctx context.Context, id string) (map[string]any, error) {
	return m.Collector.GetNIC(ctx, m.swap(id))
}

// terminate(i-attack01) answered with i-victim01's hash is refused:
// nothing of i-victim01 is touched, and the error says why.
func TestAnswerForAnotherInstanceIsRefused(t *testing.T) {
	to := map[string]string{"i-attack01": "i-victim01", "vol-attack1": "vol-victim1", "vif-attack1": "vif-test0000"}
	x := newHarness(t, func(o *hva.Options) {
		o.Collector = misdirected{Collector: o.Collector.(*hvatest.Collector), to: to}
	})
	ctx := context.Background()
	x.launched(t, "i-victim01", "525400000091")
	x.addInstance("i-attack01", "running", "525400000092")
	x.col.AddVolume(map[string]any{"uuid": "vol-victim1", "state": "available", "size": int64(1 << 20), "volume_type": "Dcmgr::Models::LocalVolume"})
	x.col.AddVolume(map[string]any{"uuid": "vol-attack1", "state": "available", "size": int64(1 << 20), "volume_type": "Dcmgr::Models::LocalVolume"})

	for name, job := range map[string]func() error{
		"terminate": func() error { return x.h.Terminate(ctx, "i-attack01", true) },
		"cleanup":   func() error { return x.h.Cleanup(ctx, "i-attack01") },
		"poweroff":  func() error { return x.h.PowerOff(ctx, "i-attack01") },
		"attach":    func() error { return x.h.Attach(ctx, "i-victim01", "vol-attack1") },
		"detach_nic": func() error {
			return x.h.DetachNIC(ctx, "vif-attack1")
		},
	} {
		err := job()
		require.ErrorIs(t, err, hva.ErrWrongObject, name)
		require.ErrorIs(t, err, hva.ErrBadInstance, name)
		assert.Contains(t, err.Error(), "answered with uuid", name)
	}
	assert.Equal(t, esxi.PoweredOn, x.powerState(t, "i-victim01"), "the victim's VM still runs")
	assert.True(t, x.exists(t, "i-victim01"), "the victim's folder is intact")
	assert.Equal(t, "running", x.col.State("i-victim01"))
	assert.Equal(t, "running", x.col.State("i-attack01"), "the job changed nothing")
	assert.Equal(t, "available", x.col.VolumeState("vol-victim1"))
	assert.Empty(t, x.col.Methods("finalize_instance", "update_instance", "update_volume"), "no update went to the collector")
	assert.Empty(t, x.ev.Strings(), "no event was published")
}
