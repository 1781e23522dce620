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
	require.Equal(t, Password(secret), c.ESXiPassword)
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
		"%+v ptr":     fmt.Sprintf("%+v", &c),
		"%#v ptr":     fmt.Sprintf("%#v", &c),
		"nested %+v":  fmt.Sprintf("%+v", struct{ C Config }{c}),
		"nested %#v":  fmt.Sprintf("%#v", struct{ C Config }{c}),
		"slice":       fmt.Sprint([]Config{c}),
		"field":       fmt.Sprint(c.ESXiPassword),
		"field %#v":   fmt.Sprintf("%#v", c.ESXiPassword),
		"field %x":    fmt.Sprintf("%x", c.ESXiPassword),
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
		if !strings.HasPrefix(name, "field") {
			assert.Contains(t, out, "10.0.0.5", name+": other fields still shown")
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// The password renders as "***" in every form a Config takes, and an
// unset one as nothing.
func TestPasswordRendering(t *testing.T) {
	c := secretConfig(t)
	assert.Contains(t, fmt.Sprintf("%+v", c), "ESXiPassword:*** ")
	assert.Contains(t, fmt.Sprintf("%#v", c), "ESXiPassword:***, ")

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "pw", c.ESXiPassword)
	assert.Contains(t, buf.String(), "pw=***")

	var decoded map[string]any
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, c)), &decoded))
	assert.Equal(t, "***", decoded["ESXiPassword"])
	assert.Equal(t, "10.0.0.5", decoded["ESXiHost"])

	empty := DefaultConfig()
	assert.Contains(t, fmt.Sprintf("%+v", empty), "ESXiPassword: ", "no password shows as empty")
	assert.NotContains(t, fmt.Sprintf("%+v", empty), "***")
	assert.Equal(t, `""`, mustJSON(t, empty.ESXiPassword))
	assert.Equal(t, secret, string(c.ESXiPassword), "the text is still there for the connection")
	assert.Equal(t, secret, c.ESXi().Password)
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
	require.Equal(t, Password(secret), f.Values["esxi_password"])
	assert.Equal(t, secret, string(f.Values["esxi_password"].(Password)))
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
