package hvaconf

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteConf writes c as hva.conf assignments that Parse and File.Config
// read back to the same Config: one `config.key = value` line per
// setting, strings double-quoted with Ruby escapes. It writes the password
// too (that is what hva.conf holds); keep the file private (mode 0600).
func (c Config) WriteConf(w io.Writer) error {
	bw := bufio.NewWriter(w)
	line := func(key, value string) {
		fmt.Fprintf(bw, "config.%s = %s\n", key, value)
	}
	fmt.Fprintln(bw, "# hva.conf written by esxi-hva")
	line(KeyESXiHost, RubyString(c.ESXiHost))
	line(KeyESXiDatacenter, RubyString(c.ESXiDatacenter))
	line(KeyESXiDatastore, RubyString(c.ESXiDatastore))
	line(KeyESXiUsername, RubyString(c.ESXiUsername))
	line(KeyESXiPassword, RubyString(c.ESXiPassword))
	line(KeyESXiInsecure, strconv.FormatBool(c.ESXiInsecure))
	line(KeyESXiThumbprint, RubyString(c.ESXiThumbprint))
	line(KeyESXiPortGroup, RubyString(c.ESXiPortGroup))
	line(KeyVMDataDir, RubyString(c.VMDataDir))
	line(KeyEdgeNetworking, RubyString(c.EdgeNetworking))
	line(KeyImageCacheBudget, strconv.FormatInt(c.ImageCacheBudget, 10))
	line(KeyUseLinkedClone, strconv.FormatBool(c.UseLinkedClone))
	line(KeyConcurrency, strconv.Itoa(c.Concurrency))
	dur := func(key string, d time.Duration) {
		if d%1e9 == 0 {
			line(key, strconv.FormatInt(int64(d/1e9), 10))
		} else {
			line(key, RubyString(d.String()))
		}
	}
	dur(KeySoftPowerOffTimeout, c.SoftPowerOffTimeout)
	dur(KeyJobDeadlineLaunch, c.JobDeadlineLaunch)
	dur(KeyJobDeadlineBackup, c.JobDeadlineBackup)
	dur(KeyJobDeadlineOther, c.JobDeadlineOther)
	dur(KeyTransferStall, c.TransferStallTimeout)
	if c.MetadataItems != nil {
		keys := sortedStringKeys(c.MetadataItems)
		if len(keys) == 0 {
			line(KeyMetadataItems, "{}")
		} else {
			fmt.Fprintf(bw, "config.%s = {\n", KeyMetadataItems)
			for _, k := range keys {
				fmt.Fprintf(bw, "  %s => %s,\n", RubyString(k), RubyString(c.MetadataItems[k]))
			}
			fmt.Fprintln(bw, "}")
		}
	}
	return bw.Flush()
}

// RubyString quotes s as a Ruby double-quoted string literal that Parse
// (and Ruby) read back as s: quotes, backslashes, "#{", "#$" and "#@" and
// control characters are escaped; invalid UTF-8 bytes become \xHH.
func RubyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, "\\x%02X", s[i])
			i++
			continue
		}
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '#' && i+1 < len(s) && strings.IndexByte("{$@", s[i+1]) >= 0:
			b.WriteString("\\#")
		case r == '\n':
			b.WriteString("\\n")
		case r == '\t':
			b.WriteString("\\t")
		case r == '\r':
			b.WriteString("\\r")
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02X", r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}
