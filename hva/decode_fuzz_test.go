package hva_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

// FuzzDecodeInstance feeds Marshal bodies, seeded with the Wakame
// fixtures, to every decoder: none panics, and whatever decodes keeps the
// bounds.
func FuzzDecodeInstance(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.marshal"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := rubymarshal.Decode(body)
		if err != nil {
			return
		}
		m, ok := plain(v).(map[string]any)
		if !ok {
			return
		}
		if inst, err := hva.DecodeInstance(m); err == nil {
			if inst.CPUCores < 1 || inst.CPUCores > hva.MaxCPUCores || inst.MemorySize < 1 || inst.MemorySize > hva.MaxMemoryMB {
				t.Fatalf("sizes out of bounds: %d vCPUs, %d MB", inst.CPUCores, inst.MemorySize)
			}
			if len(inst.UserData) > hva.MaxUserData {
				t.Fatalf("user_data of %d bytes", len(inst.UserData))
			}
			if err := esxi.ValidateName(inst.ID); err != nil {
				t.Fatalf("uuid %q accepted: %v", inst.ID, err)
			}
		}
		_, _ = hva.DecodeVolume(m)
		_, _ = hva.DecodeBackupObject(m)
		_, _ = hva.DecodeNIC(m)
		_, _ = hva.DecodeMonitorRow(m)
	})
}
