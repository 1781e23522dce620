package image

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescriptorURI(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{name: "plain", in: "http://h/img/disk-flat.vmdk", want: "http://h/img/disk.vmdk"},
		{name: "https with port", in: "https://h:8443/a/b/disk-flat.vmdk", want: "https://h:8443/a/b/disk.vmdk"},
		{name: "flat in a directory name", in: "http://h/x-flat/disk-flat.vmdk", want: "http://h/x-flat/disk.vmdk"},
		{name: "flat in the host", in: "http://img-flat.example/disk-flat.vmdk", want: "http://img-flat.example/disk.vmdk"},
		{name: "twice in the name", in: "http://h/a-flat-flat.vmdk", want: "http://h/a-flat.vmdk"},
		{name: "in the middle", in: "http://h/a-flat-b-flat-c.vmdk", want: "http://h/a-flat-b-c.vmdk"},
		{name: "no extension", in: "http://h/disk-flat", want: "http://h/disk"},
		{name: "query kept", in: "http://h/disk-flat.vmdk?sig=1", want: "http://h/disk.vmdk?sig=1"},
		{name: "escaped space", in: "http://h/my%20disk-flat.vmdk", want: "http://h/my%20disk.vmdk"},
		{name: "file", in: "file:///srv/images/disk-flat.vmdk", want: "file:///srv/images/disk.vmdk"},
		{name: "missing", in: "http://h/x-flat/disk.vmdk", err: `invalid image source: http://h/x-flat/disk.vmdk: the file name "disk.vmdk" has no "-flat"`},
		{name: "nothing left", in: "http://h/-flat", err: `leaves no descriptor name`},
		{name: "only an extension left", in: "http://h/-flat.vmdk", err: `leaves no descriptor name`},
		{name: "directory only", in: "http://h/img-flat/", err: "names no file"},
		{name: "ftp", in: "ftp://h/disk-flat.vmdk", err: `scheme "ftp" is not http, https or file`},
		{name: "no host", in: "http:///disk-flat.vmdk", err: "has no host"},
		{name: "remote file", in: "file://other/disk-flat.vmdk", err: "names a remote host"},
		{name: "credentials stripped", in: "ftp://user:secret@h/disk-flat.vmdk", err: "ftp://h/disk-flat.vmdk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DescriptorURI(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidSource)
				assert.Contains(t, err.Error(), tt.err)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestResolve(t *testing.T) {
	flat, desc, err := resolve("http://h/x-flat/disk-flat.vmdk")
	require.NoError(t, err)
	assert.Equal(t, "http://h/x-flat/disk-flat.vmdk", flat.String())
	assert.Equal(t, "http://h/x-flat/disk.vmdk", desc.String())

	flat, desc, err = resolve("http://h/x-flat/disk.vmdk")
	require.NoError(t, err)
	assert.Nil(t, flat, "a descriptor URI leaves the flat to its extent")
	assert.Equal(t, "http://h/x-flat/disk.vmdk", desc.String())
	u, _ := url.Parse("http://h/x-flat/disk.vmdk")
	assert.Equal(t, "http://h/x-flat/other-flat.vmdk", siblingURI(u, "other-flat.vmdk"))
	u, _ = url.Parse("http://h/disk.vmdk")
	assert.Equal(t, "http://h/disk-flat.vmdk", siblingURI(u, "disk-flat.vmdk"))
}
