package hvaconf

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// redacted stands for a password wherever it would be shown.
const redacted = "***"

// Password is the ESXi password (esxi_password). It prints as "***"
// through fmt (every verb, %#v included), log/slog and encoding/json, and
// as "" when empty; string(p) is the text. File.Values holds the
// esxi_password string as a Password too.
type Password string

func (p Password) shown() string {
	if p == "" {
		return ""
	}
	return redacted
}

// String returns "***", or "" for no password.
func (p Password) String() string { return p.shown() }

// Format prints String for every verb.
func (p Password) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.shown()) }

// LogValue logs String.
func (p Password) LogValue() slog.Value { return slog.StringValue(p.shown()) }

// MarshalJSON encodes String.
func (p Password) MarshalJSON() ([]byte, error) { return json.Marshal(p.shown()) }
