package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// demo runs the seed's four steps on the embedded registry, with a
// built-in image server in place of the seed's nginx.
func (a *app) demo(ctx context.Context) error {
	if a.api != "" || a.dsn != "" {
		return errors.New("no command given: the seed's demo runs only on the embedded registry; give a command to use -api or -db")
	}
	fake := a.embedded()
	images, md5sum := imageServer()
	defer images.Close()
	dir := a.specDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "register-demo")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	// The agent's first heartbeat: Isono now knows hva.esxi1.
	fake.SetNodeState("hva.esxi1", "online")
	steps := [][]string{
		{"host", "add", "hva.esxi1", "-uuid", "hn-esxi1", "-display-name", "esxi host 1", "-cpu-cores", "100", "-memory-size", "400000", "-hypervisor", "esxi"},
		{"host", "show"},
		{"image", "add", images.URL + "/ubuntu-lucid-esxi-64-flat.vmdk", "-account-id", "a-shpoolxx", "-is-public",
			"-description", "esxi test image", "-md5sum", md5sum, "-verify"},
		{"spec", "add", "esxi.small", "-hypervisor", "esxi", "-cpu-cores", "1", "-memory-size", "256", "-file", filepath.Join(dir, "instance_spec.yml")},
	}
	for _, s := range steps {
		fmt.Fprintf(a.out, "$ register %s\n", shellJoin(s))
		if err := a.run(ctx, s); err != nil {
			return fmt.Errorf("%s %s: %w", s[0], s[1], err)
		}
	}
	return nil
}

// imageServer serves a small generated VMDK pair and returns the flat's md5.
func imageServer() (*httptest.Server, string) {
	flat := make([]byte, 2<<20)
	for i := range flat {
		flat[i] = byte(i % 251)
	}
	sum := md5.Sum(flat)
	desc := []byte("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n" +
		"RW 4096 VMFS \"ubuntu-lucid-esxi-64-flat.vmdk\"\n\nddb.adapterType = \"lsilogic\"\n")
	files := map[string][]byte{"/ubuntu-lucid-esxi-64-flat.vmdk": flat, "/ubuntu-lucid-esxi-64.vmdk": desc}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, strings.NewReader(string(b)))
	}))
	return srv, hex.EncodeToString(sum[:])
}
