package hvatest_test

import (
	"context"
	"fmt"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

// The in-memory collector answers get_instance with the hash NewInstance
// builds, applies updates and records every call.
func Example() {
	ctx := context.Background()
	col := hvatest.NewCollector()
	col.AddInstance(hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-abc123", MACs: []string{"525400123456"}}))

	raw, _ := col.GetInstance(ctx, "i-abc123")
	inst, _ := hva.DecodeInstance(raw)
	fmt.Println(inst.ID, inst.State, inst.Vifs[0].MAC)

	_ = col.UpdateInstance(ctx, "i-abc123", map[string]any{"state": hva.Symbol("running")})
	fmt.Println(col.State("i-abc123"), col.Methods())
	// Output:
	// i-abc123 initializing 525400123456
	// running [get_instance update_instance]
}
