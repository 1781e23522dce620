package isono

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// Names of the AMQP objects Isono uses.
const (
	// EventExchange is the topic exchange events are published on.
	EventExchange = "isono.event"
	// endpointPrefix prefixes an RPC endpoint's queue name.
	endpointPrefix = "isono.rpc.endpoint."
	// replyPrefix prefixes a node's reply queue name; the server reads
	// the sender's node id from reply_to after it.
	replyPrefix = "command-recv."
	identPrefix = "ident."
)

// Reply types of an RPC answer.
const (
	replySuccess    = "success"
	replyError      = "error"
	replyInProgress = "inprogress"
)

// EndpointQueue is the queue of an RPC endpoint, e.g.
// "isono.rpc.endpoint.job.hva-handle.hva.esxi1".
func EndpointQueue(endpoint string) string { return endpointPrefix + endpoint }

// newTicket returns a message id as Isono makes them: 40 hex digits.
func newTicket() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// encode marshals v as Ruby Marshal. rubymarshal writes what Wakame
// expects: map keys and hva.Symbol values as Symbols, times as Times.
func encode(v any) ([]byte, error) {
	return rubymarshal.Encode(v)
}

// decodeHash unmarshals a body that must be a Hash into Go values (see
// fromWire), refusing one that expands beyond lim through object links.
func decodeHash(body []byte, lim rubymarshal.Limits) (map[string]any, error) {
	v, err := rubymarshal.DecodeLimited(body, lim)
	if errors.Is(err, rubymarshal.ErrTooLarge) {
		return nil, fmt.Errorf("%w: %d-byte body: %w", ErrTooLarge, len(body), err)
	}
	if err != nil {
		return nil, err
	}
	h, ok := v.(*rubymarshal.Hash)
	if !ok {
		return nil, fmt.Errorf("message body is a %T, want a Hash", v)
	}
	var c converter
	return c.fromWire(h).(map[string]any), nil
}

// converter turns decoded Marshal values into the plain Go values hva
// expects: Hashes become map[string]any (String and Symbol keys alike,
// other keys described by rubymarshal.KeyText), Symbols hva.Symbol (the same type),
// Strings of any encoding string.
//
// A value that the body links to many times (Marshal's '@') is decoded
// once and shared; the converter keeps it shared, converting each String,
// Array and Hash once, so that links cost no memory here whatever the
// expanded size the decoder allowed.
type converter struct {
	strings map[stringKey]any // string values, boxed once
	arrays  map[arrayKey][]any
	hashes  map[*rubymarshal.Hash]map[string]any
}

type stringKey struct {
	p *byte
	n int
}

type arrayKey struct {
	p *any
	n int
}

func (c *converter) fromWire(v any) any {
	switch x := v.(type) {
	case *rubymarshal.Hash:
		if m, ok := c.hashes[x]; ok {
			return m
		}
		m := make(map[string]any, x.Len())
		for _, p := range x.Pairs {
			m[rubymarshal.KeyText(p.Key)] = c.fromWire(p.Value)
		}
		if c.hashes == nil {
			c.hashes = map[*rubymarshal.Hash]map[string]any{}
		}
		c.hashes[x] = m
		return m
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		k := arrayKey{&x[0], len(x)}
		if out, ok := c.arrays[k]; ok {
			return out
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = c.fromWire(e)
		}
		if c.arrays == nil {
			c.arrays = map[arrayKey][]any{}
		}
		c.arrays[k] = out
		return out
	case rubymarshal.EncString:
		return x.S
	case rubymarshal.Binary:
		if len(x) == 0 {
			return ""
		}
		k := stringKey{&x[0], len(x)}
		if s, ok := c.strings[k]; ok {
			return s
		}
		var s any = string(x)
		if c.strings == nil {
			c.strings = map[stringKey]any{}
		}
		c.strings[k] = s
		return s
	}
	return v
}

func stringOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case rubymarshal.Symbol:
		return string(x), true
	case rubymarshal.EncString:
		return x.S, true
	case rubymarshal.Binary:
		return string(x), true
	}
	return "", false
}
