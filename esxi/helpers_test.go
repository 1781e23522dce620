package esxi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

// putDisk writes a small descriptor + flat pair straight into the
// simulator's datastore directory and returns the descriptor's path.
func putDisk(t *testing.T, env *esxitest.Env, dir, name string) esxi.DatastorePath {
	t.Helper()
	local := filepath.Join(env.DatastoreDir, dir)
	require.NoError(t, os.MkdirAll(local, 0o755))
	desc := fmt.Sprintf("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\nRW 2048 VMFS \"%s-flat.vmdk\"\n", name)
	require.NoError(t, os.WriteFile(filepath.Join(local, name+".vmdk"), []byte(desc), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(local, name+"-flat.vmdk"), make([]byte, 2048*512), 0o644))
	return esxi.DatastorePath{Datastore: esxitest.Datastore, Path: dir + "/" + name + ".vmdk"}
}

// putFile writes a file into the datastore directory.
func putFile(t *testing.T, env *esxitest.Env, rel string, data []byte) esxi.DatastorePath {
	t.Helper()
	local := filepath.Join(env.DatastoreDir, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(local), 0o755))
	require.NoError(t, os.WriteFile(local, data, 0o644))
	return esxi.DatastorePath{Datastore: esxitest.Datastore, Path: rel}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

// cancelAfter yields zeros and cancels its context after n bytes.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (r *cancelAfter) Read(p []byte) (int, error) {
	if r.n <= 0 {
		r.cancel()
		return 0, context.Canceled
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	clear(p)
	r.n -= len(p)
	return len(p), nil
}

var context_WithCancel = context.WithCancel
