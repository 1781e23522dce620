package hvaconf

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func roundTrip(t testing.TB, c Config) (Config, []string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, c.WriteConf(&buf))
	f, err := Parse("written.conf", &buf)
	require.NoError(t, err, buf.String())
	got, warnings, err := f.Config()
	require.NoError(t, err, buf.String())
	return got, warnings
}

func TestWriteConfRoundTrip(t *testing.T) {
	wakame, _, err := Load(filepath.Join("testdata", "wakame-current.conf"))
	require.NoError(t, err)
	odd := DefaultConfig()
	odd.ESXiHost = "esxi.example.org"
	odd.ESXiPassword = "p\"a\\s#{s}#$x#@y\n\t\r\x01\x7fé😀\xff"
	odd.EdgeNetworking = "off"
	odd.SoftPowerOffTimeout = 1500 * time.Millisecond
	odd.MetadataItems = map[string]string{}
	for name, c := range map[string]Config{"defaults": DefaultConfig(), "wakame": wakame, "odd": odd} {
		t.Run(name, func(t *testing.T) {
			got, warnings := roundTrip(t, c)
			assert.Equal(t, c, got)
			for _, w := range warnings {
				assert.NotContains(t, w, "unknown key")
			}
		})
	}
}

func TestWriteConfText(t *testing.T) {
	c := DefaultConfig()
	c.ESXiHost = "192.168.2.25"
	c.ESXiPassword = "pw"
	c.MetadataItems = map[string]string{"b": "2", "a": "1"}
	var buf bytes.Buffer
	require.NoError(t, c.WriteConf(&buf))
	assert.Equal(t, `# hva.conf written by esxi-hva
config.esxi_ipaddress = "192.168.2.25"
config.esxi_datacenter = "ha-datacenter"
config.esxi_datastore = "datastore1"
config.esxi_username = "root"
config.esxi_password = "pw"
config.esxi_insecure = false
config.esxi_thumbprint = ""
config.esxi_portgroup = "VM Network"
config.vm_data_dir = ""
config.edge_networking = "netfilter"
config.image_cache_budget = 107374182400
config.use_linked_clone = true
config.concurrency = 4
config.soft_poweroff_timeout = 120
config.job_deadline_launch = 10800
config.job_deadline_backup = 10800
config.job_deadline_other = 900
config.transfer_stall_timeout = 60
config.metadata_items = {
  "a" => "1",
  "b" => "2",
}
`, buf.String())
}

func TestRubyString(t *testing.T) {
	for in, want := range map[string]string{
		"":        `""`,
		`a"b\c`:   `"a\"b\\c"`,
		"#{x} #y": `"\#{x} #y"`,
		"#$g #@i": `"\#$g \#@i"`,
		"\n\t\r":  `"\n\t\r"`,
		"\x00é":   `"\x00é"`,
		"\xff":    `"\xFF"`,
	} {
		assert.Equal(t, want, RubyString(in), "%q", in)
		f, err := Parse("x", strings.NewReader("config.x = "+RubyString(in)))
		require.NoError(t, err)
		assert.Equal(t, in, f.Values["x"], "%q reads back", in)
	}
}
