package hva_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// poweron's first ESXi call is the metadata CD's upload: after the
// session was lost (an expiry, an administrator), the host refuses it
// with 401, the client logs in again, and the job succeeds.
func TestPowerOnAfterTheSessionWasLost(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	const id = "i-sess0001"
	x.launched(t, id, "525400000094")
	require.NoError(t, x.h.PowerOff(ctx, id))
	logins := x.hv.Logins()

	require.NoError(t, x.env.TerminateSessions(ctx))
	x.env.ResetCalls()
	require.NoError(t, x.h.PowerOn(ctx, id))
	assert.Equal(t, esxi.PoweredOn, x.powerState(t, id))
	assert.Equal(t, "running", x.col.State(id))
	assert.Equal(t, 1, x.env.Calls("401 /folder"), "the CD upload met the lost session first")
	assert.Equal(t, logins+1, x.hv.Logins())
}
