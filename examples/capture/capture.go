package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
	"github.com/esxi-hva/esxi-hva/registry"
)

// result is what a capture produced.
type result struct {
	MD5     string
	Size    int64
	FlatURI string // where the flat went (file path or PUT URL)
	Command string // the vdc-manage registration
}

// capture runs the whole flow; the temporary VM is destroyed however it
// ends.
func capture(ctx context.Context, o *options, out io.Writer) (*result, error) {
	cfg := esxi.Config{Host: o.host, Datastore: o.datastore, PortGroup: o.portGroup, Username: o.user,
		Password: os.Getenv("ESXI_PASSWORD"), Thumbprint: o.thumbprint, Insecure: o.insecure}
	if o.simulate {
		sim, err := esxitest.Start(ctx)
		if err != nil {
			return nil, err
		}
		defer sim.Close()
		cfg = sim.Config
		fmt.Fprintln(out, "simulated ESXi at", cfg.Host)
	}
	hv, err := esxi.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer hv.Close(context.WithoutCancel(ctx))
	if err := esxi.ValidateName(o.name); err != nil {
		return nil, err
	}
	root := esxi.DatastorePath{Datastore: hv.Datastore()}
	folder, _ := root.Join(o.name)
	disk, _ := root.Join(o.name, o.name+".vmdk")
	iso, _ := root.Join(o.name, "installer.iso")

	if err := hv.MakeDirectory(ctx, folder); err != nil {
		return nil, fmt.Errorf("temporary VM folder: %w", err)
	}
	defer func() {
		// Destroy deletes the folder with the disk and the ISO.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := hv.DestroyVM(cctx, o.name); err != nil {
			fmt.Fprintln(out, "warning: destroy the temporary VM:", err)
		}
		if err := hv.Delete(cctx, folder); err != nil && !errors.Is(err, esxi.ErrNotFound) {
			fmt.Fprintln(out, "warning: delete", folder, err)
		}
		fmt.Fprintln(out, "temporary VM", o.name, "destroyed")
	}()

	fmt.Fprintf(out, "uploading the installer to %s\n", iso)
	if err := uploadISO(ctx, hv, o, iso); err != nil {
		return nil, err
	}
	// One NIC for the installer, with a fixed address from VMware's manual
	// range (00:50:56:00:00:00-00:50:56:3f:ff:ff).
	if _, err := hv.CreateVM(ctx, esxi.VMSpec{Name: o.name, CPUs: 1, MemoryMB: o.memoryMB, CDROM: &iso,
		NICs: []esxi.NICSpec{{MAC: "00:50:56:3f:00:01", Adapter: esxi.E1000}}, Annotation: "esxi-hva capture: temporary image VM"}); err != nil {
		return nil, err
	}
	if err := hv.AttachDisk(ctx, o.name, esxi.DiskSpec{Path: disk, SizeMB: o.diskMB}); err != nil {
		return nil, err
	}
	if err := hv.PowerOn(ctx, o.name); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "VM %s is on: install the OS on its console (ESXi host client https://%s/ui/ > Virtual Machines > %s > Console),\n", o.name, cfg.Host, o.name)
	fmt.Fprintln(out, "add /etc/wakame-init metadata-cd to /etc/rc.local as the seed says, then power the guest off; waiting...")
	if o.simulate {
		if err := simulateInstall(ctx, hv, disk, o.diskMB); err != nil {
			return nil, err
		}
	}
	if err := waitPoweredOff(ctx, hv, o.name); err != nil {
		return nil, err
	}
	if err := hv.EjectCDROM(ctx, o.name); err != nil && !errors.Is(err, esxi.ErrNotFound) {
		return nil, err
	}
	res, err := download(ctx, hv, o, disk, out)
	if err != nil {
		return nil, err
	}
	if err := registration(ctx, o, res, out); err != nil {
		return res, err
	}
	return res, nil
}

// uploadISO streams the installer from a path or URL to the datastore.
func uploadISO(ctx context.Context, hv esxi.Files, o *options, dst esxi.DatastorePath) error {
	if o.simulate && o.iso == "" {
		fake := bytes.Repeat([]byte("esxi-hva simulated installer\n"), 4096)
		return hv.Upload(ctx, dst, bytes.NewReader(fake), int64(len(fake)))
	}
	if u, err := url.Parse(o.iso); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.iso, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("installer: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			u.User = nil
			return fmt.Errorf("installer %s: %s", u, resp.Status)
		}
		return hv.Upload(ctx, dst, resp.Body, resp.ContentLength)
	}
	f, err := os.Open(o.iso)
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return hv.Upload(ctx, dst, f, fi.Size())
}

// simulateInstall plays the operator on vcsim: the "installed" disk is a
// generated pair, then the guest powers off.
func simulateInstall(ctx context.Context, hv esxi.Hypervisor, disk esxi.DatastorePath, sizeMB int64) error {
	size := sizeMB << 20
	content := imagetest.NewContent(7, size)
	flatName := strings.TrimSuffix(disk.Base(), ".vmdk") + "-flat.vmdk"
	flat, err := disk.Dir().Join(flatName)
	if err != nil {
		return err
	}
	if err := hv.Upload(ctx, flat, content.Reader(), size); err != nil {
		return err
	}
	desc := imagetest.Descriptor(flatName, size)
	if err := hv.Upload(ctx, disk, bytes.NewReader(desc), int64(len(desc))); err != nil {
		return err
	}
	return hv.PowerOff(ctx, disk.Dir().Base())
}

// waitPoweredOff polls the VM's power state until the guest is off.
func waitPoweredOff(ctx context.Context, hv esxi.Hypervisor, name string) error {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		st, err := hv.PowerState(ctx, name)
		if err != nil {
			return err
		}
		if st == esxi.PoweredOff {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to power off: %w", name, ctx.Err())
		case <-t.C:
		}
	}
}

// download streams the pair with its md5 to -out or -put.
func download(ctx context.Context, hv esxi.Files, o *options, disk esxi.DatastorePath, out io.Writer) (*result, error) {
	flatName := o.name + "-flat.vmdk"
	var last time.Time
	progress := func(p image.Progress) {
		if time.Since(last) < time.Second && p.Done < p.Total {
			return
		}
		last = time.Now()
		fmt.Fprintf(out, "  downloading %s: %d/%d MiB (%.1f MiB/s)\n", flatName, p.Done>>20, p.Total>>20, p.Rate/(1<<20))
	}
	if o.put != "" {
		got, err := image.PutPair(ctx, hv, disk, o.put, image.FetchOptions{}, progress)
		if err != nil {
			return nil, err
		}
		return &result{MD5: got.MD5, Size: got.Size, FlatURI: o.put}, nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	flatPath := filepath.Join(o.out, flatName)
	f, err := os.Create(flatPath)
	if err != nil {
		return nil, err
	}
	got, err := image.Capture(ctx, hv, disk, f, progress)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(flatPath)
		return nil, err
	}
	d, err := image.ParseDescriptor(got.Descriptor)
	if err != nil {
		os.Remove(flatPath)
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.out, o.name+".vmdk"), d.Rename(flatName), 0o644); err != nil {
		os.Remove(flatPath)
		return nil, err
	}
	fmt.Fprintf(out, "wrote %s and %s (md5 %s, %d bytes)\n", flatPath, filepath.Join(o.out, o.name+".vmdk"), got.MD5, got.Size)
	return &result{MD5: got.MD5, Size: got.Size, FlatURI: flatPath}, nil
}

// registration prints (or with -register runs) vdc-manage image add.
func registration(ctx context.Context, o *options, res *result, out io.Writer) error {
	uri := res.FlatURI
	switch {
	case o.baseURL != "":
		uri = strings.TrimSuffix(o.baseURL, "/") + "/" + o.name + "-flat.vmdk"
	case o.put == "":
		uri = "http://YOUR-IMAGE-SERVER/" + path.Base(filepath.ToSlash(res.FlatURI))
	}
	res.Command = fmt.Sprintf("vdc-manage image add local %s --account-id a-shpoolxx --is-public 1 --description %q --md5sum %s", uri, o.name, res.MD5)
	if !o.register {
		fmt.Fprintln(out, "register it on the Wakame-vdc host with:")
		fmt.Fprintln(out, "  "+res.Command)
		return nil
	}
	sqlReg, err := registry.OpenSQL(ctx, o.db)
	if err != nil {
		return err
	}
	defer sqlReg.Close()
	reg, err := sqlReg.RegisterImage(ctx, registry.ImageSpec{FlatURI: uri, MD5: res.MD5, Public: true, Description: o.name})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registered image %s (backup object %s)\n", reg.ImageID, reg.BackupObjectID)
	return nil
}
