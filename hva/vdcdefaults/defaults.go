package vdcdefaults

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"github.com/esxi-hva/esxi-hva/hva/hvaconf"
	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

// Path is where Wakame's packages keep the file; its init scripts source it.
const Path = "/etc/default/wakame-vdc"

// DefaultAMQPPort is the AMQP port used when AMQP_PORT is not set.
const DefaultAMQPPort = 5672

// Defaults is /etc/default/wakame-vdc: the shell variables the Wakame init
// scripts source before starting an agent (`bin/hva -i ${HVA_ID} -s
// amqp://${AMQP_SERVER}:${AMQP_PORT}/`).
type Defaults struct {
	AMQPServer string            // AMQP_SERVER (or AMQP_ADDR, the name in /etc/default/vdc-hva)
	AMQPPort   int               // AMQP_PORT, DefaultAMQPPort when unset
	HVAID      string            // HVA_ID (or NODE_ID, the name in /etc/default/vdc-hva)
	VDCRoot    string            // VDC_ROOT
	Vars       map[string]string // every variable assigned, after expansion
	Warnings   []string          // "file:line: message", e.g. for an unset variable expanded to ""
}

// maxDefaultsErrors caps how many bad lines one error reports.
const maxDefaultsErrors = 20

// maxInput bounds the file's size: environment files are a few hundred bytes.
const maxInput = 4 << 20

// Limits that keep expansion ($A$A on every line doubles a value) bounded.
const (
	maxValueLen = 64 << 10 // one variable's value
	maxTotalLen = 8 << 20  // all expansions in the file together
)

// Parse reads a shell environment file such as
// /etc/default/wakame-vdc without running it. It understands:
//
//   - KEY=VALUE and export KEY=VALUE (several per line, as in the shell);
//     export KEY alone is accepted and changes nothing;
//   - values unquoted (backslash escapes the next character), in single
//     quotes (literal) or double quotes (\" \\ \$ \` escapes, expansion),
//     concatenated as in the shell ("a"'b'c is abc), spanning lines inside
//     quotes or after a trailing backslash;
//   - $VAR, ${VAR}, ${VAR:-word} and ${VAR-word}, expanded from the
//     variables assigned earlier in the same file only (never from the
//     process environment, so the result does not depend on who runs it);
//     an unset variable expands to "" with a warning;
//   - comments (# at the start of a word) and blank lines.
//
// Where it differs from the shell, on purpose: a carriage return before a
// line break is dropped (the shell keeps it at the end of the value, the
// classic trouble with files edited on Windows), and ~ is not expanded.
//
// Anything else the shell would run — commands, $(...) and `...`,
// pipes, redirections, [ ... ] && { ... } — is a bad line. Every bad line
// is reported (as *hvaconf.SyntaxError, errors.Is hvaconf.ErrSyntax; two or
// more are joined into one *multierror.Error, whose Errors lists them)
// but does not stop the parse: the returned Defaults holds what the good
// lines set, so that a caller may choose to go on with, say, the packaged
// file that ends in shell code, after logging the error.
func Parse(name string, r io.Reader) (Defaults, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return Defaults{}, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxInput {
		return Defaults{}, &hvaconf.SyntaxError{File: name, Line: 1, Msg: fmt.Sprintf("file larger than %d bytes", maxInput)}
	}
	sp := &shellParser{name: name, src: string(data), line: 1, vars: map[string]string{}, lines: map[string]int{}}
	sp.run()
	d := Defaults{Vars: sp.vars, Warnings: sp.warnings, AMQPPort: DefaultAMQPPort}
	d.AMQPServer = first(sp.vars, "AMQP_SERVER", "AMQP_ADDR")
	d.HVAID = first(sp.vars, "HVA_ID", "NODE_ID")
	d.VDCRoot = sp.vars["VDC_ROOT"]
	if p, ok := sp.vars["AMQP_PORT"]; ok && p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			sp.fail(sp.lines["AMQP_PORT"], "AMQP_PORT: want a port number from 1 to 65535, got %q", p)
		} else {
			d.AMQPPort = n
		}
	}
	if len(sp.errs) > maxDefaultsErrors {
		more := len(sp.errs) - maxDefaultsErrors
		sp.errs = append(sp.errs[:maxDefaultsErrors], fmt.Errorf("%s: %d more bad lines", name, more))
	}
	return d, joinerr.Join(sp.errs...)
}

// Load reads the environment file at path (usually Path) with Parse. A missing file returns
// Defaults{} and an error wrapping fs.ErrNotExist: whether that matters
// is the caller's decision (an agent given -s and -i flags does not need
// the file).
func Load(path string) (Defaults, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Defaults{}, fmt.Errorf("wakame-vdc defaults: %w", err)
	}
	defer fh.Close()
	return Parse(path, fh)
}

// AMQPURL returns "amqp://<server>:<port>/" (as Wakame's upstart job
// builds it), or "" when no AMQP server is set. IPv6 addresses are
// bracketed.
func (d Defaults) AMQPURL() string {
	if d.AMQPServer == "" {
		return ""
	}
	port := d.AMQPPort
	if port == 0 {
		port = DefaultAMQPPort
	}
	return "amqp://" + net.JoinHostPort(d.AMQPServer, strconv.Itoa(port)) + "/"
}

func first(vars map[string]string, keys ...string) string {
	for _, k := range keys {
		if v, ok := vars[k]; ok {
			return v
		}
	}
	return ""
}
