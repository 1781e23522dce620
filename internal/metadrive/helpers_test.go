package metadrive

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/stretchr/testify/require"
)

// typicalTree is what hva puts on a CD: about 20 items, 2 NICs with 12
// items each, a public key and 4 KiB of user data.
func typicalTree() Tree {
	t := Tree{}
	for _, k := range []string{
		"ami-id", "ami-launch-index", "ami-manifest-path", "ancestor-ami-ids",
		"block-device-mapping/root", "hostname", "instance-action", "instance-id",
		"instance-type", "kernel-id", "local-hostname", "local-ipv4", "mac",
		"placement/availability-zone", "product-codes", "public-hostname",
		"public-ipv4", "ramdisk-id", "reservation-id", "x-account-id",
	} {
		t["meta-data/"+k] = []byte("value of " + k + "\n")
	}
	for _, mac := range []string{"52-54-00-12-34-56", "52-54-00-ab-cd-ef"} {
		for _, k := range []string{
			"local-hostname", "local-ipv4s", "mac", "public-hostname", "public-ipv4s",
			"security-groups", "x-dns", "x-gateway", "x-netmask", "x-network", "x-broadcast", "x-metric",
		} {
			t["meta-data/network/interfaces/macs/"+mac+"/"+k] = []byte(k + " of " + mac + "\n")
		}
	}
	t["meta-data/public-keys/0=ssh-abcd1234"] = []byte("ssh-abcd1234\n")
	t["meta-data/public-keys/0/openssh-key"] = []byte("ssh-rsa AAAAB3NzaC1yc2E test@example\n")
	t["user-data"] = bytes.Repeat([]byte("#cloud-config 0123456789abcdef\n"), 4096/32)
	return t
}

// expected is what reading back an image built from t must give: every
// file, and every directory that holds nothing (as "dir/"), contents as
// strings so that nil and empty compare equal.
func expected(t Tree) map[string]string {
	out := map[string]string{}
	for k, v := range t {
		if !strings.HasSuffix(k, "/") {
			out[k] = string(v)
		}
	}
	for k := range t {
		if !strings.HasSuffix(k, "/") {
			continue
		}
		full := false
		for o := range t {
			if o != k && strings.HasPrefix(o, k) {
				full = true
				break
			}
		}
		if !full {
			out[k] = ""
		}
	}
	return out
}

// asMap is expected's form of a tree read back.
func asMap(t Tree) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = string(v)
	}
	return out
}

// readDirTree reads a directory of the local file system the way expected
// describes a tree.
func readDirTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			ents, err := os.ReadDir(p)
			if err != nil {
				return err
			}
			if len(ents) == 0 {
				out[rel+"/"] = ""
			}
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	require.NoError(t, err)
	return out
}

// run runs a command and returns its combined output, failing t when it
// exits with an error.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

// checkWithTools checks a built image and CD with isoinfo, fsck.fat and
// mtools: the CD holds exactly img, fsck.fat finds nothing to say, the
// label is the one given and mcopy extracts exactly the tree.
func checkWithTools(t *testing.T, tree Tree, img []byte, cd *CD, o Options) {
	t.Helper()
	label, volumeID := o.Label, o.VolumeID
	if label == "" {
		label = DefaultLabel
	}
	if volumeID == "" {
		volumeID = DefaultVolumeID
	}
	for _, c := range []string{"isoinfo", "fsck.fat", "mlabel", "mcopy", "mdir", "blkid"} {
		testenv.RequireCommand(t, c)
	}
	dir := t.TempDir()
	isoPath, imgPath, partPath := filepath.Join(dir, "cd.iso"), filepath.Join(dir, "metadata.img"), filepath.Join(dir, "part.img")
	f, err := os.Create(isoPath)
	require.NoError(t, err)
	n, err := cd.WriteTo(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, cd.Size(), n)
	require.NoError(t, os.WriteFile(imgPath, img, 0o644))
	require.NoError(t, os.WriteFile(partPath, img[PartitionOffset:], 0o644))

	info := run(t, "isoinfo", "-d", "-i", isoPath)
	require.Contains(t, info, "Volume id: "+volumeID+"\n")
	require.Contains(t, info, "Rock Ridge signatures version 1 found")
	listing := run(t, "isoinfo", "-R", "-l", "-i", isoPath)
	require.Contains(t, listing, " metadata.img \n")
	extracted := run(t, "isoinfo", "-R", "-i", isoPath, "-x", "/metadata.img")
	require.True(t, extracted == string(img), "isoinfo -R -x /metadata.img gave %d bytes that differ from the %d-byte image", len(extracted), len(img))

	fsck := run(t, "fsck.fat", "-n", partPath)
	lines := strings.Split(strings.TrimSpace(fsck), "\n")
	require.Len(t, lines, 2, "fsck.fat has something to say:\n%s", fsck)
	require.True(t, strings.HasPrefix(lines[1], partPath+":"), fsck)

	for _, img := range []string{partPath, imgPath + "@@1M"} {
		require.Equal(t, fmt.Sprintf(" Volume label is %-11s", label), strings.TrimRight(run(t, "mlabel", "-s", "-i", img, "::"), "\n"), img)
	}

	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	run(t, "mcopy", "-s", "-n", "-i", partPath, "::", out+"/")
	want := expected(tree)
	require.Equal(t, want, readDirTree(t, out))

	// What udev/blkid (and so mount LABEL=...) see.
	blkid := func(args ...string) map[string]string {
		out := map[string]string{}
		for _, l := range strings.Split(run(t, "blkid", append([]string{"-p", "-o", "export"}, args...)...), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				out[k] = v
			}
		}
		return out
	}
	cdID := blkid(isoPath)
	require.Equal(t, "iso9660", cdID["TYPE"])
	require.Equal(t, volumeID, cdID["LABEL"])
	require.Equal(t, "dos", blkid(imgPath)["PTTYPE"])
	fsID := blkid("-O", itoa(PartitionOffset), imgPath)
	require.Equal(t, "vfat", fsID["TYPE"])
	require.Equal(t, label, fsID["LABEL"])

	// The whole disk image, partition at 1 MiB: mdir lists every path.
	listed := map[string]bool{}
	for _, l := range strings.Split(run(t, "mdir", "-/", "-b", "-i", imgPath+"@@1M", "::"), "\n") {
		if p, ok := strings.CutPrefix(l, "::/"); ok {
			listed[strings.TrimSuffix(p, "/")] = true
		}
	}
	for p := range want {
		require.True(t, listed[strings.TrimSuffix(p, "/")], "mdir -/ -b does not list %q", p)
	}
}
