package rubymarshal_test

import (
	"fmt"
	"log"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// An Isono reply: map keys become Ruby Symbols, and a state value is
// written as a Symbol so that Wakame's data[:state] == :terminated holds.
func Example() {
	body, err := rubymarshal.Encode(map[string]any{
		"type": rubymarshal.Symbol("success"),
		"msg": map[string]any{
			"state":         rubymarshal.Symbol("terminated"),
			"terminated_at": time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	v, err := rubymarshal.Decode(body)
	if err != nil {
		log.Fatal(err)
	}
	reply := v.(*rubymarshal.Hash)
	typ, _ := reply.Get("type")
	msg, _ := reply.Get("msg")
	state, _ := msg.(*rubymarshal.Hash).Get("state")
	fmt.Printf("%T %v, %T %v\n", typ, typ, state, state)
	fmt.Println(reply.Map()["msg"].(map[string]any)["terminated_at"])
	// Output:
	// rubymarshal.Symbol success, rubymarshal.Symbol terminated
	// 2026-11-26 10:00:00 +0000 UTC
}

// Decoding a Ruby job request: Marshal.dump({:endpoint=>"job.hva-handle.hva.esxi1",
// :command=>"terminate", :args=>["i-demo0001"], :oneshot=>false}).
func ExampleDecodeMap() {
	body := []byte("\x04\x08{\x09:\x0dendpointI\"\x1djob.hva-handle.hva.esxi1\x06:\x06ET" +
		":\x0ccommandI\"\x0eterminate\x06;\x06T:\x09args[\x06I\"\x0fi-demo0001\x06;\x06T:\x0coneshotF")
	m, err := rubymarshal.DecodeMap(body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m["command"], m["args"], m["oneshot"])
	// Output: terminate [i-demo0001] false
}

// Reading an Isono RPC reply {:type=>:error, :msg=>{:message=>..., :error_type=>...}}
// with the typed accessors.
func ExampleHash_GetSymbol() {
	body, _ := rubymarshal.Encode(map[string]any{
		"type": rubymarshal.Symbol("error"),
		"msg":  map[string]any{"message": "UnknownInstanceID: 'i-x'", "error_type": "RuntimeError"},
	})
	v, err := rubymarshal.Decode(body)
	if err != nil {
		log.Fatal(err)
	}
	reply := v.(*rubymarshal.Hash)
	switch typ, _ := reply.GetSymbol("type"); typ {
	case "error":
		msg, _ := reply.GetHash("msg")
		text, _ := msg.GetString("message")
		class, _ := msg.GetString("error_type")
		fmt.Printf("%s: %s\n", class, text)
	default:
		fmt.Println("success")
	}
	// Output: RuntimeError: UnknownInstanceID: 'i-x'
}
