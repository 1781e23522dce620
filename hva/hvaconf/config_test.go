package hvaconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func config(t *testing.T, src string) (Config, []string, error) {
	t.Helper()
	return parse(t, src).Config()
}

// The hva.conf of the ESXi admin guide (shared/seed), with the '#' of its
// comment lines restored.
func TestConfigSeed(t *testing.T) {
	c, warnings, err := Load(filepath.Join("testdata", "seed.conf"))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	want := Config{
		ESXiHost:             "192.168.2.25",
		ESXiDatacenter:       "ha-datacenter",
		ESXiDatastore:        "datastore1",
		ESXiUsername:         "root",
		ESXiPassword:         "ESXiPassword",
		ESXiPortGroup:        "VM Network",
		VMDataDir:            "/home/wakame/wakame-vdc/tmp/instances",
		EdgeNetworking:       "off",
		UseLinkedClone:       true,
		Concurrency:          4,
		SoftPowerOffTimeout:  120 * time.Second,
		ImageCacheBudget:     DefaultImageCacheBudget,
		JobDeadlineLaunch:    3 * time.Hour,
		JobDeadlineBackup:    3 * time.Hour,
		JobDeadlineOther:     15 * time.Minute,
		JobDeadlineCleanup:   10 * time.Minute,
		TransferStallTimeout: time.Minute,
	}
	assert.Equal(t, want, c)
	require.NoError(t, c.Validate())
	assert.Equal(t, esxi.Config{
		Host: "192.168.2.25", Datacenter: "ha-datacenter", Datastore: "datastore1", PortGroup: "VM Network",
		Username: "root", Password: "ESXiPassword", StallTimeout: time.Minute,
	}, c.ESXi())
}

// The seed file as it appears in shared/seed, comment marks lost: the
// first line that is not Ruby is reported with its line.
func TestConfigSeedWithoutCommentMarks(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed.conf"))
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		lines = append(lines, strings.TrimLeft(strings.TrimPrefix(l, "# "), "#"))
	}
	_, err = Parse("hva.conf", strings.NewReader(strings.Join(lines, "\n")))
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Line)
	assert.Equal(t, "expected config.key = value, found '-'", se.Msg)
}

// A current Wakame hva.conf with every kind of block, Ruby expressions in
// settings esxi-hva ignores, and esxi-hva's own keys.
func TestConfigWakameCurrent(t *testing.T) {
	c, warnings, err := Load(filepath.Join("testdata", "wakame-current.conf"))
	require.NoError(t, err)
	want := Config{
		ESXiHost:             "esxi1.example.org",
		ESXiDatacenter:       "ha-datacenter",
		ESXiDatastore:        "datastore2",
		ESXiUsername:         "wakame",
		ESXiPassword:         `p@ss "word"`,
		ESXiThumbprint:       "3F:A9:0C:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD",
		ESXiPortGroup:        "Wakame VMs",
		VMDataDir:            "/var/lib/wakame-vdc/instances",
		EdgeNetworking:       "off",
		ImageCacheBudget:     10 << 30,
		UseLinkedClone:       true,
		Concurrency:          8,
		SoftPowerOffTimeout:  90 * time.Second,
		JobDeadlineLaunch:    3 * time.Hour,
		JobDeadlineBackup:    3 * time.Hour,
		JobDeadlineOther:     15 * time.Minute,
		JobDeadlineCleanup:   10 * time.Minute,
		TransferStallTimeout: time.Minute,
		MetadataItems: map[string]string{
			"extra-hosts/fluent.local": "192.168.1.101", "x-foo": "bar",
			"extra-hosts/dns.local": "192.168.1.53",
		},
	}
	assert.Equal(t, want, c)
	var blocks []string
	for _, w := range warnings {
		assert.NotContains(t, w, "unknown key", "Wakame keys must not warn")
		if strings.Contains(w, "skipped block") {
			blocks = append(blocks, w)
		}
	}
	assert.Len(t, blocks, 9, "every block but metadata")
	require.NoError(t, c.Validate())
	assert.Equal(t, "Wakame VMs", c.ESXi().PortGroup)
	assert.Equal(t, c.ESXiThumbprint, c.ESXi().Thumbprint)
	assert.Contains(t, warnings, filepath.Join("testdata", "wakame-current.conf")+":80: skipped block hypervisor_driver(:kvm) do ... end (lines 80-87): not used by esxi-hva")
	f, err := ParseFile(filepath.Join("testdata", "wakame-current.conf"))
	require.NoError(t, err)
	assert.Equal(t, Expr("60 * 15"), f.Values["wait_sec_until_force_terminate_from_shuttingdown"])
	assert.Equal(t, Symbol("error"), f.Values["lxc_log_level"])
	assert.Equal(t, int64(8888), f.Values["logging_service_port"])
}

func TestConfigDefaults(t *testing.T) {
	c, warnings, err := config(t, "# nothing set\n")
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, DefaultConfig(), c)
	assert.Equal(t, "ha-datacenter", c.ESXiDatacenter)
	assert.Equal(t, "datastore1", c.ESXiDatastore)
	assert.Equal(t, "VM Network", c.ESXiPortGroup)
	assert.Equal(t, 4, c.Concurrency)
	assert.Equal(t, 120*time.Second, c.SoftPowerOffTimeout)
	assert.Empty(t, c.ESXiPassword)

	err = c.Validate()
	require.ErrorIs(t, err, esxi.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "esxi_ipaddress")

	c, _, err = config(t, "config.esxi_datastore = nil\nconfig.concurrency = nil")
	require.NoError(t, err)
	assert.Equal(t, "datastore1", c.ESXiDatastore, "nil takes the default")
	assert.Equal(t, 4, c.Concurrency)
}

func TestConfigValues(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, c Config)
	}{
		{"insecure", "config.esxi_insecure = true", func(t *testing.T, c Config) { assert.True(t, c.ESXiInsecure) }},
		{"linked clones by default", "config.concurrency = 2", func(t *testing.T, c Config) { assert.True(t, c.UseLinkedClone) }},
		{"full copies", "config.use_linked_clone = false", func(t *testing.T, c Config) { assert.False(t, c.UseLinkedClone) }},
		{"budget int", "config.image_cache_budget = 10_737_418_240", func(t *testing.T, c Config) { assert.Equal(t, int64(10737418240), c.ImageCacheBudget) }},
		{"openssl thumbprint", "config.esxi_thumbprint = 'sha256 Fingerprint=4C:3D:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD'", func(t *testing.T, c Config) {
			assert.Contains(t, c.ESXiThumbprint, "4C:3D") // accepted as is; esxi.Config reads it
		}},
		{"budget G", "config.image_cache_budget = '10G'", func(t *testing.T, c Config) { assert.Equal(t, int64(10<<30), c.ImageCacheBudget) }},
		{"budget GB", "config.image_cache_budget = '10GB'", func(t *testing.T, c Config) { assert.Equal(t, int64(10e9), c.ImageCacheBudget) }},
		{"budget 1.5 TiB", "config.image_cache_budget = '1.5 TiB'", func(t *testing.T, c Config) { assert.Equal(t, int64(3<<39), c.ImageCacheBudget) }},
		{"timeout float", "config.soft_poweroff_timeout = 2.5", func(t *testing.T, c Config) { assert.Equal(t, 2500*time.Millisecond, c.SoftPowerOffTimeout) }},
		{"timeout zero", "config.soft_poweroff_timeout = 0", func(t *testing.T, c Config) { assert.Equal(t, time.Duration(0), c.SoftPowerOffTimeout) }},
		{"timeout string", "config.soft_poweroff_timeout = '3m'", func(t *testing.T, c Config) { assert.Equal(t, 3*time.Minute, c.SoftPowerOffTimeout) }},
		{"launch deadline", "config.job_deadline_launch = '6h'", func(t *testing.T, c Config) { assert.Equal(t, 6*time.Hour, c.JobDeadlineLaunch) }},
		{"backup deadline", "config.job_deadline_backup = 7200", func(t *testing.T, c Config) { assert.Equal(t, 2*time.Hour, c.JobDeadlineBackup) }},
		{"other deadline", "config.job_deadline_other = '20m'", func(t *testing.T, c Config) { assert.Equal(t, 20*time.Minute, c.JobDeadlineOther) }},
		{"cleanup deadline", "config.job_deadline_cleanup = 300", func(t *testing.T, c Config) { assert.Equal(t, 5*time.Minute, c.JobDeadlineCleanup) }},
		{"stall timeout", "config.transfer_stall_timeout = 30", func(t *testing.T, c Config) {
			assert.Equal(t, 30*time.Second, c.TransferStallTimeout)
			assert.Equal(t, 30*time.Second, c.ESXi().StallTimeout)
		}},
		{"no cache budget", "config.image_cache_budget = 0", func(t *testing.T, c Config) { assert.Equal(t, int64(0), c.ImageCacheBudget) }},
		{"concurrency", "config.concurrency = 1", func(t *testing.T, c Config) { assert.Equal(t, 1, c.Concurrency) }},
		{"items symbol and int", "config.metadata_items = {a: :b, 'c/d' => 5}", func(t *testing.T, c Config) {
			assert.Equal(t, map[string]string{"a": "b", "c/d": "5"}, c.MetadataItems)
		}},
		{"empty items", "config.metadata_items = {}", func(t *testing.T, c Config) { assert.Equal(t, map[string]string{}, c.MetadataItems) }},
		{"url host", "config.esxi_ipaddress = 'https://vc.example.org/sdk'", func(t *testing.T, c Config) { assert.Equal(t, "https://vc.example.org/sdk", c.ESXiHost) }},
		{"thumbprint and port group", "config.esxi_thumbprint = '" + strings.Repeat("ab", 32) + "'\nconfig.esxi_portgroup = 'pg'", func(t *testing.T, c Config) {
			assert.Equal(t, strings.Repeat("ab", 32), c.ESXiThumbprint)
			assert.Equal(t, "pg", c.ESXiPortGroup)
		}},
		{"ipv6 host", "config.esxi_ipaddress = '2001:db8::1'\nconfig.esxi_password = 'pw'", func(t *testing.T, c Config) {
			assert.Equal(t, "2001:db8::1", c.ESXiHost)
			assert.Equal(t, "[2001:db8::1]", c.ESXi().Host)
			require.NoError(t, c.Validate())
			u, err := c.ESXi().URL()
			require.NoError(t, err)
			assert.Equal(t, "2001:db8::1", u.Hostname())
		}},
		{"ipv4 host with port", "config.esxi_ipaddress = '192.0.2.10:8443'", func(t *testing.T, c Config) { assert.Equal(t, "192.0.2.10:8443", c.ESXi().Host) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := config(t, tt.src)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestConfigValueErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"bool as string", "\n\n\n\n\n\nconfig.esxi_insecure = \"yes\"", `hva.conf:7: esxi_insecure: want true/false, got "yes"`},
		{"string as int", "config.esxi_datastore = 5", `hva.conf:1: esxi_datastore: want a string, got 5`},
		{"symbol for string", "config.edge_networking = :off", `hva.conf:1: edge_networking: want a string, got :off`},
		{"bad edge networking", "config.edge_networking = 'on'", `hva.conf:1: edge_networking: want one of "netfilter", "legacy_netfilter", "openflow", "openvnet", "off"; got "on"`},
		{"credentials in host", "config.esxi_ipaddress = 'https://root:" + "pw@esxi/sdk'", `hva.conf:1: esxi_ipaddress: must not carry credentials (user@ or user:password@): use esxi_username and esxi_password`},
		{"space in host", "config.esxi_ipaddress = 'esxi 1'", `hva.conf:1: esxi_ipaddress: want a host name, address or https URL, got "esxi 1"`},
		{"short thumbprint", "config.esxi_thumbprint = 'AB:CD'", `hva.conf:1: esxi_thumbprint: want a SHA-256 certificate fingerprint (64 hex digits, colons allowed, or openssl's "sha256 Fingerprint=..."), got "AB:CD"`},
		{"empty datastore", "config.esxi_datastore = ''", `hva.conf:1: esxi_datastore: must not be empty`},
		{"concurrency zero", "config.concurrency = 0", `hva.conf:1: concurrency: want an integer from 1 to 1024, got 0`},
		{"concurrency float", "config.concurrency = 2.0", `hva.conf:1: concurrency: want an integer, got 2.0`},
		{"negative budget", "config.image_cache_budget = -1", `hva.conf:1: image_cache_budget: want a size in bytes >= 0, got -1`},
		{"bad budget unit", "config.image_cache_budget = '10Q'", `hva.conf:1: image_cache_budget: want a size such as 10737418240, "10G" or "10GiB", got "10Q"`},
		{"budget overflow", "config.image_cache_budget = '9999999999T'", `hva.conf:1: image_cache_budget: size "9999999999T" is out of range`},
		{"negative timeout", "config.soft_poweroff_timeout = -5", `hva.conf:1: soft_poweroff_timeout: want seconds from 0 to 9223372036, got -5`},
		{"huge timeout", "config.soft_poweroff_timeout = 1e300", `hva.conf:1: soft_poweroff_timeout: want seconds from 0 to 9223372036, got 1e+300`},
		{"bad timeout", "config.soft_poweroff_timeout = 'soon'", `hva.conf:1: soft_poweroff_timeout: want seconds or a duration such as "2m", got "soon"`},
		{"items not hash", "config.metadata_items = ['a']", `hva.conf:1: metadata_items: want a hash such as { "path" => "content" }, got ["a"]`},
		{"item absolute", "config.metadata_items = {'/etc/x' => 'y'}", `hva.conf:1: metadata_items: item "/etc/x": path must be relative`},
		{"item dotdot", "config.metadata_items = {'a/../../x' => 'y'}", `hva.conf:1: metadata_items: item "a/../../x": path must be clean, without '.', '..' or '//' parts`},
		{"item empty", "config.metadata_items = {'' => 'y'}", `hva.conf:1: metadata_items: item "": empty path`},
		{"item value", "config.metadata_items = {'a' => [1]}", `hva.conf:1: metadata_items: item "a": want a string, got [1]`},
		{"expression", "config.esxi_password = ENV['ESXI_PASSWORD']", `hva.conf:1: esxi_password: value (not shown) is Ruby code, which esxi-hva does not evaluate; write a literal`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := config(t, tt.src)
			require.Error(t, err)
			assert.Equal(t, Config{}, c)
			assert.ErrorIs(t, err, ErrInvalidValue)
			var ve *ValueError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestConfigReportsEveryBadValue(t *testing.T) {
	_, _, err := config(t, "config.esxi_insecure = 1\nconfig.concurrency = 'x'\nconfig.esxi_datastore = true")
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "hva.conf:1: esxi_insecure")
	assert.Contains(t, msg, "hva.conf:2: concurrency")
	assert.Contains(t, msg, "hva.conf:3: esxi_datastore")
}

func TestConfigWarnings(t *testing.T) {
	_, warnings, err := config(t, "config.foo = 1\nconfig.edge_networking = 'netfilter'\nconfig.esxi_insecure = true\nconfig.esxi_thumbprint = '"+strings.Repeat("aa", 32)+"'")
	require.NoError(t, err)
	assert.Equal(t, []string{
		`hva.conf:1: unknown key "foo"`,
		`hva.conf:2: edge_networking: "netfilter" has no effect: esxi-hva does no edge networking on ESXi (set 'off')`,
		`hva.conf:3: esxi_insecure: esxi_thumbprint is set too; esxi-hva pins the thumbprint rather than skipping verification`,
	}, warnings)
}

func TestConfigWarnsInsecure(t *testing.T) {
	c, warnings, err := config(t, "\nconfig.esxi_insecure = true")
	require.NoError(t, err)
	assert.True(t, c.ESXiInsecure)
	assert.Equal(t, []string{`hva.conf:2: esxi_insecure: TLS verification is off, so the password goes to whoever answers; pin the host with config.esxi_thumbprint = "<SHA-256 fingerprint>" instead`}, warnings)
}

func TestLoadMissing(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "hva.conf"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestLoadSyntaxError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hva.conf")
	require.NoError(t, os.WriteFile(p, []byte("config.esxi_ipaddress = \"1.2.3.4\"\nconfig.esxi_password =\n"), 0o600))
	_, _, err := Load(p)
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, p, se.File)
	assert.Equal(t, 2, se.Line)
	assert.Equal(t, p+":2: expected value after '=' for config.esxi_password", err.Error())
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"0", 0, false},
		{"1024", 1024, false},
		{"1_024", 1024, false},
		{"1k", 1024, false},
		{"1KiB", 1024, false},
		{"1KB", 1000, false},
		{"2M", 2 << 20, false},
		{"10G", 10 << 30, false},
		{" 10 GiB ", 10 << 30, false},
		{"1T", 1 << 40, false},
		{"0.5G", 1 << 29, false},
		{"7B", 7, false},
		{"", 0, true},
		{"G", 0, true},
		{"-1G", 0, true},
		{"1.2.3G", 0, true},
		{"10 apples", 0, true},
		{"9223372036854775807", 9223372036854775807, false},
		{"9223372036854775808", 0, true},
		{"8388608T", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if tt.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestKnownKeys(t *testing.T) {
	keys := KnownKeys()
	assert.Contains(t, keys, "esxi_ipaddress")
	assert.Contains(t, keys, "metadata_items")
	assert.Contains(t, keys, "use_linked_clone")
	assert.Contains(t, keys, "esxi_host_system")
	assert.Contains(t, keys, "job_deadline_cleanup")
	assert.Len(t, keys, 23)
	assert.True(t, IsWakameKey("enable_ebtables"))
	assert.False(t, IsWakameKey("esxi_ipaddress"))
}

func TestConfigMetadataSection(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     map[string]string
		warnings []string
	}{
		{"braces", "metadata {\n  path 'a/b', 'v1'\n  path \"c\", \"v2\"\n}", map[string]string{"a/b": "v1", "c": "v2"}, nil},
		{"do end and parens", "metadata do\n  path('a', 'v'); path 'b', 'w'\nend", map[string]string{"a": "v", "b": "w"}, nil},
		{"empty", "metadata {\n}", nil, nil},
		{"two sections", "metadata { path 'a', '1' }\nmetadata { path 'b', '2' }", map[string]string{"a": "1", "b": "2"}, nil},
		{"merged with metadata_items", "config.metadata_items = {'a' => 'items', 'c' => 'same'}\nmetadata {\n  path 'a', 'section'\n  path 'b', 'section'\n  path 'c', 'same'\n}",
			map[string]string{"a": "items", "b": "section", "c": "same"},
			[]string{`hva.conf:3: metadata: path "a" is also in metadata_items (line 1), which wins`}},
		{"other content is skipped", "metadata {\n  path 'a', 'v'\n  other 1\n}", nil,
			[]string{"hva.conf:1: skipped block metadata { ... } (lines 1-4): not used by esxi-hva"}},
		{"non-string value is skipped", "metadata { path 'a', 1 }", nil,
			[]string{"hva.conf:1: skipped block metadata { ... }: not used by esxi-hva"}},
		{"arguments are skipped", "metadata(:x) { path 'a', 'b' }", nil,
			[]string{"hva.conf:1: skipped block metadata(:x) { ... }: not used by esxi-hva"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, warnings, err := config(t, tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.MetadataItems)
			assert.Equal(t, tt.warnings, warnings)
		})
	}

	_, _, err := config(t, "\nmetadata {\n  path '../etc/passwd', 'x'\n}")
	require.ErrorIs(t, err, ErrInvalidValue)
	assert.Equal(t, `hva.conf:3: metadata: path "../etc/passwd": path must be clean, without '.', '..' or '//' parts`, err.Error())
}
