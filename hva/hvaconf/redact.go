package hvaconf

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// redacted stands for a password in every rendering of a Config.
const redacted = "***"

// Secret is a string that prints as "***" through fmt (every verb),
// log/slog and encoding/json. File.Values holds the esxi_password string
// as a Secret; string(s) is the text.
type Secret string

// String returns "***".
func (s Secret) String() string { return redacted }

// GoString returns "***".
func (s Secret) GoString() string { return redacted }

// Format prints "***" for every verb.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, redacted) }

// LogValue logs "***".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes "***".
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

func maskPassword(p string) string {
	if p == "" {
		return ""
	}
	return redacted
}

// render writes the fields of c, names included, with the password masked.
// goSyntax selects Go-syntax values (%#v).
func (c Config) render(goSyntax bool) string {
	q := func(s string) string {
		if goSyntax {
			return strconv.Quote(s)
		}
		return s
	}
	var b strings.Builder
	if goSyntax {
		b.WriteString("hvaconf.Config")
	}
	b.WriteString("{")
	sep := " "
	if goSyntax {
		sep = ", "
	}
	field := func(first bool, name, v string) {
		if !first {
			b.WriteString(sep)
		}
		b.WriteString(name)
		b.WriteString(":")
		b.WriteString(v)
	}
	field(true, "ESXiHost", q(c.ESXiHost))
	field(false, "ESXiDatacenter", q(c.ESXiDatacenter))
	field(false, "ESXiDatastore", q(c.ESXiDatastore))
	field(false, "ESXiUsername", q(c.ESXiUsername))
	field(false, "ESXiPassword", q(maskPassword(c.ESXiPassword)))
	field(false, "ESXiInsecure", strconv.FormatBool(c.ESXiInsecure))
	field(false, "ESXiThumbprint", q(c.ESXiThumbprint))
	field(false, "ESXiPortGroup", q(c.ESXiPortGroup))
	field(false, "VMDataDir", q(c.VMDataDir))
	field(false, "EdgeNetworking", q(c.EdgeNetworking))
	field(false, "ImageCacheBudget", strconv.FormatInt(c.ImageCacheBudget, 10))
	field(false, "UseLinkedClone", strconv.FormatBool(c.UseLinkedClone))
	field(false, "Concurrency", strconv.Itoa(c.Concurrency))
	dur := func(d time.Duration) string { return d.String() }
	if goSyntax {
		dur = func(d time.Duration) string { return strconv.FormatInt(int64(d), 10) }
	}
	field(false, "SoftPowerOffTimeout", dur(c.SoftPowerOffTimeout))
	if goSyntax {
		field(false, "MetadataItems", fmt.Sprintf("%#v", c.MetadataItems))
	} else {
		field(false, "MetadataItems", fmt.Sprintf("%v", c.MetadataItems))
	}
	field(false, "JobDeadlineLaunch", dur(c.JobDeadlineLaunch))
	field(false, "JobDeadlineBackup", dur(c.JobDeadlineBackup))
	field(false, "JobDeadlineOther", dur(c.JobDeadlineOther))
	field(false, "TransferStallTimeout", dur(c.TransferStallTimeout))
	b.WriteString("}")
	return b.String()
}

// String shows every field by name, the password as "***" (or empty when
// no password is set).
func (c Config) String() string { return c.render(false) }

// GoString is String in Go syntax, for %#v; the password is still "***".
func (c Config) GoString() string { return c.render(true) }

// Format makes every fmt verb (%v, %+v, %s, %q, %d, %x ...) print String,
// and %#v print GoString, so that no verb can reach the password field.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, c.GoString())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue logs the Config as a group of its fields, the password as "***".
func (c Config) LogValue() slog.Value {
	items := make([]slog.Attr, 0, len(c.MetadataItems))
	for _, k := range sortedStringKeys(c.MetadataItems) {
		items = append(items, slog.String(k, c.MetadataItems[k]))
	}
	return slog.GroupValue(
		slog.String("esxi_host", c.ESXiHost),
		slog.String("esxi_datacenter", c.ESXiDatacenter),
		slog.String("esxi_datastore", c.ESXiDatastore),
		slog.String("esxi_username", c.ESXiUsername),
		slog.String("esxi_password", maskPassword(c.ESXiPassword)),
		slog.Bool("esxi_insecure", c.ESXiInsecure),
		slog.String("esxi_thumbprint", c.ESXiThumbprint),
		slog.String("esxi_portgroup", c.ESXiPortGroup),
		slog.String("vm_data_dir", c.VMDataDir),
		slog.String("edge_networking", c.EdgeNetworking),
		slog.Int64("image_cache_budget", c.ImageCacheBudget),
		slog.Bool("use_linked_clone", c.UseLinkedClone),
		slog.Int("concurrency", c.Concurrency),
		slog.Duration("soft_poweroff_timeout", c.SoftPowerOffTimeout),
		slog.Any("metadata_items", slog.GroupValue(items...)),
		slog.Duration("job_deadline_launch", c.JobDeadlineLaunch),
		slog.Duration("job_deadline_backup", c.JobDeadlineBackup),
		slog.Duration("job_deadline_other", c.JobDeadlineOther),
		slog.Duration("transfer_stall_timeout", c.TransferStallTimeout),
	)
}

// configJSON mirrors Config for MarshalJSON without its methods.
type configJSON struct {
	ESXiHost            string            `json:"esxi_ipaddress"`
	ESXiDatacenter      string            `json:"esxi_datacenter"`
	ESXiDatastore       string            `json:"esxi_datastore"`
	ESXiUsername        string            `json:"esxi_username"`
	ESXiPassword        string            `json:"esxi_password"`
	ESXiInsecure        bool              `json:"esxi_insecure"`
	ESXiThumbprint      string            `json:"esxi_thumbprint"`
	ESXiPortGroup       string            `json:"esxi_portgroup"`
	VMDataDir           string            `json:"vm_data_dir"`
	EdgeNetworking      string            `json:"edge_networking"`
	ImageCacheBudget    int64             `json:"image_cache_budget"`
	UseLinkedClone      bool              `json:"use_linked_clone"`
	Concurrency         int               `json:"concurrency"`
	SoftPowerOffTimeout float64           `json:"soft_poweroff_timeout"`
	MetadataItems       map[string]string `json:"metadata_items,omitempty"`
	JobDeadlineLaunch   float64           `json:"job_deadline_launch"`
	JobDeadlineBackup   float64           `json:"job_deadline_backup"`
	JobDeadlineOther    float64           `json:"job_deadline_other"`
	TransferStall       float64           `json:"transfer_stall_timeout"`
}

// MarshalJSON encodes the Config with hva.conf key names, the password as
// "***" and the timeout in seconds: JSON output is for display, not for
// storing credentials.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		ESXiHost: c.ESXiHost, ESXiDatacenter: c.ESXiDatacenter, ESXiDatastore: c.ESXiDatastore,
		ESXiUsername: c.ESXiUsername, ESXiPassword: maskPassword(c.ESXiPassword),
		ESXiInsecure: c.ESXiInsecure, ESXiThumbprint: c.ESXiThumbprint, ESXiPortGroup: c.ESXiPortGroup,
		VMDataDir: c.VMDataDir, EdgeNetworking: c.EdgeNetworking, ImageCacheBudget: c.ImageCacheBudget,
		UseLinkedClone: c.UseLinkedClone, Concurrency: c.Concurrency, SoftPowerOffTimeout: c.SoftPowerOffTimeout.Seconds(),
		MetadataItems:     c.MetadataItems,
		JobDeadlineLaunch: c.JobDeadlineLaunch.Seconds(), JobDeadlineBackup: c.JobDeadlineBackup.Seconds(),
		JobDeadlineOther: c.JobDeadlineOther.Seconds(), TransferStall: c.TransferStallTimeout.Seconds(),
	})
}

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
