package hvaconf

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsualPaths(t *testing.T) {
	assert.Equal(t, []string{"/etc/wakame-vdc/hva.conf"}, UsualPaths("", ""))
	assert.Equal(t, []string{"/c/hva.conf", "/etc/wakame-vdc/hva.conf", "/home/wakame/wakame-vdc/dcmgr/config/hva.conf"},
		UsualPaths("/c/hva.conf", "/home/wakame/wakame-vdc"))
}

func TestFindConfig(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.conf"), filepath.Join(dir, "b.conf")
	require.NoError(t, os.WriteFile(b, []byte("config.concurrency = 2\n"), 0o600))

	got, err := FindConfig([]string{a, b})
	require.NoError(t, err)
	assert.Equal(t, b, got)

	_, err = FindConfig([]string{a})
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), a)

	_, err = FindConfig([]string{dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a regular file")
}
