package hva_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/internal/testlog"
)

// An image URI whose password holds '/', '?', '#' or '@' (net/url then
// fails, or misreads it) never shows the password: not in the log line
// that names the image (its image_uri attribute), not in the job's error
// (which isono sends to Wakame).
func TestImagePasswordNeverLogged(t *testing.T) {
	for _, pw := range []string{"pa/ss", "pa?ss", "pa#ss", "p@ss"} {
		t.Run(pw, func(t *testing.T) {
			var logs testlog.Buffer
			x := newHarness(t, func(o *hva.Options) {
				o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			uri := strings.Replace(x.img.FlatURL(), "http://", "http://bob:"+pw+"@", 1)
			const id = "i-secret01"
			x.col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{
				ID: id, MACs: []string{"525400000031"}, NodeID: nodeID,
				ImageURI: uri, ImageMD5: x.img.MD5(), ImageSize: x.img.Size(),
			}))
			err := x.h.Dispatch(context.Background(), "hva-handle", "run_local_store", []any{id})
			require.Contains(t, logs.String(), "image_uri=", "the log line under test was written")
			assert.NotContains(t, logs.String(), pw)
			assert.NotContains(t, logs.String(), "bob:", "no part of the user information")
			if err != nil {
				assert.NotContains(t, err.Error(), pw)
				assert.NotContains(t, err.Error(), "bob:")
			}
			for _, c := range x.col.Calls() {
				assert.NotContains(t, fmt.Sprint(c.Args), pw, "collector call %s", c.Method)
			}
		})
	}
}
