package hvaconf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "S3cr3t-Pa55"

func secretConfig(t *testing.T) Config {
	t.Helper()
	c, _, err := config(t, "config.esxi_ipaddress = '10.0.0.5'\nconfig.esxi_password = '"+secret+"'\nconfig.metadata_items = {'a' => 'b'}")
	require.NoError(t, err)
	require.Equal(t, secret, c.ESXiPassword)
	return c
}

func TestPasswordNeverPrinted(t *testing.T) {
	c := secretConfig(t)
	outputs := map[string]string{
		"Sprint":      fmt.Sprint(c),
		"Sprint ptr":  fmt.Sprint(&c),
		"%v":          fmt.Sprintf("%v", c),
		"%+v":         fmt.Sprintf("%+v", c),
		"%#v":         fmt.Sprintf("%#v", c),
		"%s":          fmt.Sprintf("%s", c),
		"%q":          fmt.Sprintf("%q", c),
		"%x":          fmt.Sprintf("%x", c),
		"%d":          fmt.Sprintf("%d", c),
		"%+v ptr":     fmt.Sprintf("%+v", &c),
		"%#v ptr":     fmt.Sprintf("%#v", &c),
		"nested %+v":  fmt.Sprintf("%+v", struct{ C Config }{c}),
		"nested %#v":  fmt.Sprintf("%#v", struct{ C Config }{c}),
		"slice":       fmt.Sprint([]Config{c}),
		"String":      c.String(),
		"GoString":    c.GoString(),
		"json":        mustJSON(t, c),
		"json nested": mustJSON(t, map[string]any{"cfg": c}),
	}
	for _, h := range []struct {
		name string
		mk   func(*bytes.Buffer) slog.Handler
	}{
		{"slog text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"slog json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		log := slog.New(h.mk(&buf))
		log.Info("loaded", "config", c)
		log.Info("loaded", slog.Any("config", &c))
		outputs[h.name] = buf.String()
	}
	for name, out := range outputs {
		assert.NotContains(t, out, secret, name)
		assert.Contains(t, out, "***", name)
		assert.Contains(t, out, "10.0.0.5", name+": other fields still shown")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestConfigRendering(t *testing.T) {
	c := secretConfig(t)
	assert.Equal(t, `{ESXiHost:10.0.0.5 ESXiDatacenter:ha-datacenter ESXiDatastore:datastore1 ESXiUsername:root ESXiPassword:*** ESXiInsecure:false ESXiThumbprint: ESXiPortGroup:VM Network VMDataDir: EdgeNetworking:netfilter ImageCacheBudget:107374182400 UseLinkedClone:true Concurrency:4 SoftPowerOffTimeout:2m0s MetadataItems:map[a:b] JobDeadlineLaunch:3h0m0s JobDeadlineBackup:3h0m0s JobDeadlineOther:15m0s TransferStallTimeout:1m0s}`, c.String())
	assert.True(t, strings.HasPrefix(c.GoString(), `hvaconf.Config{ESXiHost:"10.0.0.5", `), c.GoString())
	assert.Contains(t, c.GoString(), `ESXiPassword:"***"`)
	assert.Contains(t, c.GoString(), `SoftPowerOffTimeout:120000000000`)

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "cfg", c)
	assert.Contains(t, buf.String(), "cfg.esxi_password=***")
	assert.Contains(t, buf.String(), "cfg.metadata_items.a=b")

	var decoded map[string]any
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, c)), &decoded))
	assert.Equal(t, "***", decoded["esxi_password"])
	assert.Equal(t, 120.0, decoded["soft_poweroff_timeout"])

	empty := DefaultConfig()
	assert.Contains(t, empty.String(), "ESXiPassword: ", "no password shows as empty")
	assert.NotContains(t, empty.String(), "***")
}

func TestPasswordNotInErrors(t *testing.T) {
	_, _, err := config(t, "config.esxi_password = ['"+secret+"']")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.Equal(t, "hva.conf:1: esxi_password: want a string, got an array (not shown)", err.Error())

	for _, src := range []string{
		"config.esxi_password = '" + secret + "' + 'x'",
		"config.esxi_password = \"" + secret + "#{x}\"",
		"config.esxi_password = 0x" + secret,
		"config.esxi_password = 12" + secret,
	} {
		f, err := Parse("hva.conf", strings.NewReader(src))
		if err != nil {
			assert.NotContains(t, err.Error(), secret, src)
			continue
		}
		for _, w := range f.Warnings {
			assert.NotContains(t, w, secret, src)
		}
		_, warnings, err := f.Config()
		for _, w := range warnings {
			assert.NotContains(t, w, secret, src)
		}
		if err != nil {
			assert.NotContains(t, err.Error(), secret, src)
		}
	}
}

func TestFileValuesHideThePassword(t *testing.T) {
	f := parse(t, "config.esxi_password = '"+secret+"'\nconfig.esxi_username = 'root'")
	require.Equal(t, Secret(secret), f.Values["esxi_password"])
	assert.Equal(t, secret, string(f.Values["esxi_password"].(Secret)))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("file", "values", f.Values, "pw", f.Values["esxi_password"])
	for name, out := range map[string]string{
		"%v":   fmt.Sprintf("%v", f.Values),
		"%+v":  fmt.Sprintf("%+v", f),
		"%#v":  fmt.Sprintf("%#v", f.Values),
		"%x":   fmt.Sprintf("%x", f.Values["esxi_password"]),
		"json": mustJSON(t, f.Values),
		"slog": buf.String(),
	} {
		assert.NotContains(t, out, secret, name)
		assert.Contains(t, out, "***", name)
	}

	f = parse(t, "config.esxi_password = '"+secret+"' + 'x'")
	assert.Equal(t, Expr("***"), f.Values["esxi_password"])
}
