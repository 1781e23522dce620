package esxi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
)

func TestParseDatastorePath(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ds, p   string
		wantErr bool
	}{
		{"[datastore1] i-abc/i-abc.vmdk", "datastore1", "i-abc/i-abc.vmdk", false},
		{"[datastore1]", "datastore1", "", false},
		{"[datastore 2] a", "datastore 2", "a", false},
		{"[datastore1] /a/b/", "datastore1", "a/b", false},
		{"datastore1 a", "", "", true},
		{"[datastore1 a", "", "", true},
		{"[] a", "", "", true},
		{"[ds] a/../b", "", "", true},
		{"[ds] a//b", "", "", true},
		{"[ds] a/[b]", "", "", true},
		{"[ds] a\x00", "", "", true},
	} {
		p, err := esxi.ParseDatastorePath(tc.in)
		if tc.wantErr {
			assert.ErrorIs(t, err, esxi.ErrBadName, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, esxi.DatastorePath{Datastore: tc.ds, Path: tc.p}, p)
	}
	p := esxi.DatastorePath{Datastore: "ds", Path: "a/b.vmdk"}
	assert.Equal(t, "[ds] a/b.vmdk", p.String())
	assert.Equal(t, "b.vmdk", p.Base())
	assert.Equal(t, "[ds] a", p.Dir().String())
	assert.Equal(t, "[ds]", p.Dir().Dir().String())
}

func TestValidateName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`, "a[", "]", "tab\there", "nl\n", strings.Repeat("x", 256), "\xff"} {
		assert.ErrorIs(t, esxi.ValidateName(bad), esxi.ErrBadName, "%q", bad)
	}
	for _, good := range []string{"i-abc123", "ubuntu-14.04-flat.vmdk", "52-54-00-12-34-56", "metadata.iso", "名前"} {
		assert.NoError(t, esxi.ValidateName(good), good)
	}
}

func TestNormalizeMAC(t *testing.T) {
	for in, want := range map[string]string{
		"525400123456":      "52:54:00:12:34:56",
		"52-54-00-AB-CD-EF": "52:54:00:ab:cd:ef",
		"52:54:00:ab:cd:ef": "52:54:00:ab:cd:ef",
	} {
		got, err := esxi.NormalizeMAC(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "5254001234", "zz:54:00:12:34:56", "52:54:00:12:34:56:78:9a"} {
		_, err := esxi.NormalizeMAC(bad)
		assert.ErrorIs(t, err, esxi.ErrBadName, bad)
	}
}

func TestConfigValidateAndLog(t *testing.T) {
	cfg := esxi.Config{Host: "esxi1.example.com", Datastore: "datastore1", Username: "root", Password: "s3cret-pw"}
	require.NoError(t, cfg.Validate())
	u, err := cfg.URL()
	require.NoError(t, err)
	assert.Equal(t, "https://esxi1.example.com/sdk", u.String())
	assert.NotContains(t, cfg.String(), "s3cret-pw")
	assert.NotContains(t, cfg.LogValue().String(), "s3cret-pw")

	missing := esxi.Config{Host: "h"}
	err = missing.Validate()
	assert.ErrorIs(t, err, esxi.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Datastore")
	assert.ErrorContains(t, err, "Password")

	noHost := cfg
	noHost.Host = ""
	assert.ErrorIs(t, noHost.Validate(), esxi.ErrInvalidConfig)
	ftp := cfg
	ftp.Host = "ftp://h"
	assert.ErrorIs(t, ftp.Validate(), esxi.ErrInvalidConfig)
}

func FuzzParseDatastorePath(f *testing.F) {
	for _, s := range []string{"[datastore1] i-abc/i-abc.vmdk", "[ds]", "[ds] a/../b", "[[x]] y", "[ds] a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := esxi.ParseDatastorePath(s)
		if err != nil {
			return
		}
		// Whatever parses re-parses to itself and names no parent folder.
		q, err := esxi.ParseDatastorePath(p.String())
		if err != nil || q != p {
			t.Fatalf("%q -> %v -> %v, %v", s, p, q, err)
		}
		for _, el := range strings.Split(p.Path, "/") {
			if el == ".." {
				t.Fatalf("%q escapes: %v", s, p)
			}
		}
	})
}

func TestValidateID(t *testing.T) {
	for _, bad := range []string{"", ".", "..", ".esxi-hva", ".esxi-hva/images", ".tmp-1", "-x", "_x", "a/b", `a\b`, "a b", "a[1]", "名前", "i-x\n", strings.Repeat("x", 81)} {
		err := esxi.ValidateID(bad)
		assert.ErrorIs(t, err, esxi.ErrBadName, "%q", bad)
	}
	for _, good := range []string{"i-abc12345", "vol-1", "bo-x_y.z", "wmi-centos1d64", "A1", strings.Repeat("x", 80)} {
		assert.NoError(t, esxi.ValidateID(good), good)
	}
}

func TestNormalizeThumbprint(t *testing.T) {
	const want = "4C:3D:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD"
	plain := strings.ReplaceAll(want, ":", "")
	for _, in := range []string{want, plain, strings.ToLower(plain), "sha256 Fingerprint=" + want, "SHA256 Fingerprint=" + plain, "sha256  fingerprint = " + want + "\n", "SHA-256 Fingerprint=" + want} {
		got, err := esxi.NormalizeThumbprint(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "abc", "sha1 Fingerprint=" + want, "SHA256 Fingerprint=" + want[:20], "md5=" + plain} {
		_, err := esxi.NormalizeThumbprint(in)
		assert.ErrorIs(t, err, esxi.ErrInvalidConfig, in)
	}
}
