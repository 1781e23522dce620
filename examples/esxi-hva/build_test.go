package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// built is the agent binary the tests share: one go build per test run.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildAgent builds this program (once) into a temporary directory and
// returns the binary's path.
func buildAgent(t *testing.T) string {
	t.Helper()
	gobin := testenv.RequireCommand(t, "go")
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "esxi-hva-build-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "esxi-hva")
		out, err := exec.Command(gobin, "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, built.err)
	return built.bin
}

// The binary operators install links no simulator, no testing package and
// none of the project's test helpers.
func TestBinaryLinksNoSimulatorOrTestCode(t *testing.T) {
	bin := buildAgent(t)
	out, err := exec.Command(testenv.RequireCommand(t, "go"), "tool", "nm", bin).Output()
	require.NoError(t, err)
	forbidden := []string{
		"github.com/vmware/govmomi/simulator",
		" testing.",
		"/esxi/esxitest.", "/hva/hvatest.", "/image/imagetest.", "/hva/isono/isonotest.",
		"/registry/registrytest.", "/internal/testenv.",
	}
	found := map[string]int{}
	symbols := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		symbols++
		line := sc.Text()
		for _, f := range forbidden {
			if strings.Contains(line, f) {
				found[f]++
			}
		}
	}
	require.Greater(t, symbols, 1000, "go tool nm listed the binary's symbols")
	assert.Empty(t, found, "symbols of packages the agent must not link")
	assert.Contains(t, string(out), "github.com/esxi-hva/esxi-hva/hva.(*Handler).Dispatch", "the check sees the project's own symbols")
}

func TestVersionFlag(t *testing.T) {
	bin := buildAgent(t)
	out, err := exec.Command(bin, "-version").Output()
	require.NoError(t, err)
	line := strings.TrimSpace(string(out))
	assert.True(t, strings.HasPrefix(line, "esxi-hva "), line)
	assert.Contains(t, line, runtime.Version())
	assert.Contains(t, line, "revision ")
}

func TestFormatVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/esxi-hva/esxi-hva", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, "esxi-hva v0.3.0 (revision 0123abcd, modified 2026-12-01T10:00:00Z, go1.26.8)", formatVersion(bi))
	bi = &debug.BuildInfo{GoVersion: "go1.26.8"}
	assert.Equal(t, "esxi-hva (devel) (revision unknown, go1.26.8)", formatVersion(bi))
}
