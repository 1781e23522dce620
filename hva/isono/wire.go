package isono

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/esxi-hva/esxi-hva/hva"
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
// fromWire).
func decodeHash(body []byte) (map[string]any, error) {
	v, err := rubymarshal.Decode(body)
	if err != nil {
		return nil, err
	}
	h, ok := v.(*rubymarshal.Hash)
	if !ok {
		return nil, fmt.Errorf("message body is a %T, want a Hash", v)
	}
	return fromWire(h).(map[string]any), nil
}

// fromWire turns decoded Marshal values into the plain Go values hva
// expects: Hashes become map[string]any (String and Symbol keys alike),
// Symbols hva.Symbol, Strings of any encoding string.
func fromWire(v any) any {
	switch x := v.(type) {
	case *rubymarshal.Hash:
		m := make(map[string]any, x.Len())
		for _, p := range x.Pairs {
			k, ok := stringOf(p.Key)
			if !ok {
				k = fmt.Sprint(p.Key)
			}
			m[k] = fromWire(p.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromWire(e)
		}
		return out
	case rubymarshal.Symbol:
		return hva.Symbol(x)
	case rubymarshal.EncString:
		return x.S
	case rubymarshal.Binary:
		return string(x)
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
	case hva.Symbol:
		return string(x), true
	}
	return "", false
}
