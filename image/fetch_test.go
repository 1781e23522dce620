package image_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

const mib = 1 << 20

// deployCase deploys src to "[datastore1] i-abc/i-abc.vmdk" and checks
// that a failure leaves the datastore as it was.
func deployCase(t *testing.T, r *rig, src image.Source) error {
	t.Helper()
	ctx := ctxT(t)
	r.mkdir(t, ctx, "i-abc")
	before := r.files()
	err := r.cache.Deploy(ctx, src, dsPath(t, "[datastore1] i-abc/i-abc.vmdk"), nil)
	if err != nil {
		assert.Equal(t, before, r.files(), "a failed deploy leaves the files as they were")
		assert.Empty(t, tmpLeft(t, r))
	} else {
		sum, _ := fileMD5(t, r.env.LocalPath(dsPath(t, "[datastore1] i-abc/i-abc-flat.vmdk")))
		assert.Equal(t, strings.ToLower(src.MD5), sum)
	}
	return err
}

func TestSourceFaults(t *testing.T) {
	const size = 3 * mib
	tests := []struct {
		name  string
		setup func(s *imagetest.Server) image.Source
		check func(t *testing.T, s *imagetest.Server, err error)
	}{
		{
			name: "404 is not retried",
			setup: func(s *imagetest.Server) image.Source {
				return image.Source{URI: s.URL() + "/missing-flat.vmdk", MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				var se *image.StatusError
				require.ErrorAs(t, err, &se)
				assert.ErrorIs(t, err, image.ErrSourceStatus)
				assert.Equal(t, http.StatusNotFound, se.Status)
				assert.Contains(t, err.Error(), "GET "+s.URL()+"/missing.vmdk: 404 Not Found")
				assert.Equal(t, int64(1), s.Requests())
			},
		},
		{
			name: "credentials are not in errors",
			setup: func(s *imagetest.Server) image.Source {
				u, _ := url.Parse(s.URL() + "/missing-flat.vmdk?token=hush")
				u.User = url.UserPassword("wakame", "s3cret")
				return image.Source{URI: u.String(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrSourceStatus)
				assert.NotContains(t, err.Error(), "s3cret")
				assert.NotContains(t, err.Error(), "wakame")
				assert.NotContains(t, err.Error(), "hush")
			},
		},
		{
			name: "500 twice then success",
			setup: func(s *imagetest.Server) image.Source {
				s.FailNext(2, http.StatusInternalServerError)
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				require.NoError(t, err)
				assert.Equal(t, int64(4), s.Requests(), "2 failures, the descriptor, the flat")
				assert.Equal(t, int64(size), s.BytesServed())
			},
		},
		{
			name: "503 beyond the retries",
			setup: func(s *imagetest.Server) image.Source {
				s.FailNext(100, http.StatusServiceUnavailable)
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				var se *image.StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, http.StatusServiceUnavailable, se.Status)
				assert.Equal(t, int64(4), s.Requests(), "1 try and 3 retries")
			},
		},
		{
			name: "body cut short then resumed",
			setup: func(s *imagetest.Server) image.Source {
				s.CutNext(1, mib+123)
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				require.NoError(t, err)
				assert.Equal(t, int64(2), s.FlatRequests(), "resumed once")
				assert.Equal(t, int64(size), s.BytesServed(), "resumed with Range, nothing fetched twice")
			},
		},
		{
			name: "connection reset then resumed",
			setup: func(s *imagetest.Server) image.Source {
				s.ResetNext(2, mib)
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				require.NoError(t, err)
				assert.Equal(t, int64(3), s.FlatRequests())
			},
		},
		{
			name: "body always cut short",
			setup: func(s *imagetest.Server) image.Source {
				s.CutNext(100, 1000)
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrSizeMismatch)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Contains(t, err.Error(), "giving up after 4 attempts")
				assert.Equal(t, int64(4), s.FlatRequests())
			},
		},
		{
			name: "source size disagrees with the descriptor",
			setup: func(s *imagetest.Server) image.Source {
				return image.Source{URI: s.FlatURL(), MD5: s.MD5(), Size: size - 512}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrSizeMismatch)
				assert.Contains(t, err.Error(), fmt.Sprintf("the source's size is %d bytes but the descriptor", size-512))
				assert.Zero(t, s.FlatRequests(), "refused before the flat was asked for")
			},
		},
		{
			name: "Content-Length disagrees with the descriptor",
			setup: func(s *imagetest.Server) image.Source {
				s.SetDescriptor(imagetest.Descriptor(s.FlatName(), size+512))
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrSizeMismatch)
				assert.Contains(t, err.Error(), fmt.Sprintf("is %d bytes but its descriptor says %d (%d sectors)", size, size+512, size/512+1))
			},
		},
		{
			name: "extent names another flat",
			setup: func(s *imagetest.Server) image.Source {
				s.SetDescriptor(imagetest.Descriptor("other-flat.vmdk", size))
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrInvalidSource)
				assert.Contains(t, err.Error(), `names the flat "other-flat.vmdk", not "disk-flat.vmdk"`)
				assert.Zero(t, s.FlatRequests())
			},
		},
		{
			name: "delta disk refused",
			setup: func(s *imagetest.Server) image.Source {
				s.SetDescriptor([]byte(strings.Replace(string(s.Descriptor()), "parentCID=ffffffff", "parentCID=0badcafe", 1)))
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrUnsupportedDisk)
				assert.Contains(t, err.Error(), "a delta disk with a parent is not supported")
				assert.Zero(t, s.FlatRequests())
			},
		},
		{
			name: "sparse disk refused",
			setup: func(s *imagetest.Server) image.Source {
				s.SetDescriptor([]byte(strings.Replace(string(s.Descriptor()), `"vmfs"`, `"twoGbMaxExtentSparse"`, 1)))
				return image.Source{URI: s.FlatURL(), MD5: s.MD5()}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrUnsupportedDisk)
				assert.Contains(t, err.Error(), `createType "twoGbMaxExtentSparse" is not supported`)
			},
		},
		{
			name: "descriptor URI",
			setup: func(s *imagetest.Server) image.Source {
				return image.Source{URI: s.DescriptorURL(), MD5: strings.ToUpper(s.MD5())}
			},
			check: func(t *testing.T, s *imagetest.Server, err error) {
				require.NoError(t, err)
				assert.Equal(t, int64(1), s.FlatRequests())
			},
		},
		{
			name:  "bad md5",
			setup: func(s *imagetest.Server) image.Source { return image.Source{URI: s.FlatURL(), MD5: "abc"} },
			check: func(t *testing.T, s *imagetest.Server, err error) {
				assert.ErrorIs(t, err, image.ErrInvalidSource)
				assert.Contains(t, err.Error(), `md5 "abc" is not 32 hex digits`)
				assert.Zero(t, s.Requests())
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			s := imagetest.NewServer(t, size)
			src := tt.setup(s)
			err := deployCase(t, r, src)
			tt.check(t, s, err)
		})
	}
}

func TestChunkedSource(t *testing.T) {
	r := newRig(t)
	s := imagetest.NewServer(t, 2*mib+512, imagetest.WithoutLength(), imagetest.WithDir("a-flat/b"))
	require.NoError(t, deployCase(t, r, image.Source{URI: s.FlatURL(), MD5: s.MD5()}))
	assert.Equal(t, s.Size(), s.BytesServed())

	// Cut short, and the server ignores Range: the resumed answer is the
	// whole flat again, whose first part is skipped.
	r = newRig(t)
	s = imagetest.NewServer(t, 2*mib+512, imagetest.WithoutLength(), imagetest.WithSeed(5))
	s.CutNext(1, mib)
	require.NoError(t, deployCase(t, r, image.Source{URI: s.FlatURL(), MD5: s.MD5()}))
	assert.Equal(t, int64(2), s.FlatRequests())
	assert.Equal(t, s.Size()+mib, s.BytesServed())
}

func TestHTMLErrorPageIsNotADisk(t *testing.T) {
	// A server that answers 200 with an error page for everything.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html><body>Sorry, try later</body></html>\n")
	}))
	t.Cleanup(hs.Close)
	r := newRig(t)
	err := deployCase(t, r, image.Source{URI: hs.URL + "/disk-flat.vmdk", MD5: strings.Repeat("a", 32)})
	assert.ErrorIs(t, err, image.ErrInvalidDescriptor)
	assert.Contains(t, err.Error(), "is neither key=value nor an extent")
}

func TestFileSource(t *testing.T) {
	dir := t.TempDir()
	c := imagetest.NewContent(7, 2*mib)
	f, err := os.Create(filepath.Join(dir, "img-flat.vmdk"))
	require.NoError(t, err)
	_, err = io.Copy(f, c.Reader())
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "img.vmdk"), imagetest.Descriptor("img-flat.vmdk", c.Size()), 0o644))

	r := newRig(t)
	uri := (&url.URL{Scheme: "file", Path: filepath.Join(dir, "img-flat.vmdk")}).String()
	require.NoError(t, deployCase(t, r, image.Source{URI: uri, MD5: c.MD5(), Size: c.Size()}))

	r = newRig(t)
	err = deployCase(t, r, image.Source{URI: "file://" + dir + "/none-flat.vmdk", MD5: c.MD5()})
	assert.ErrorIs(t, err, os.ErrNotExist)

	// A flat shorter than its descriptor says.
	require.NoError(t, os.Truncate(filepath.Join(dir, "img-flat.vmdk"), mib))
	r = newRig(t)
	err = deployCase(t, r, image.Source{URI: uri, MD5: c.MD5()})
	assert.ErrorIs(t, err, image.ErrSizeMismatch)
}

func TestHTTPS(t *testing.T) {
	s := imagetest.NewServer(t, mib, imagetest.WithTLS())
	src := image.Source{URI: s.FlatURL(), MD5: s.MD5()}

	r := newRig(t)
	err := deployCase(t, r, src)
	require.Error(t, err, "an unknown CA is refused")
	var ua x509.UnknownAuthorityError
	assert.True(t, errors.As(err, &ua), "got %v", err)
	assert.Equal(t, int64(0), s.FlatRequests())

	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	for name, fo := range map[string]image.FetchOptions{
		"RootCAs":    {RootCAs: pool},
		"Insecure":   {Insecure: true},
		"HTTPClient": {HTTPClient: s.Client()},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t)
			opts := fastOpts()
			opts.Fetch = fo
			r.cache = image.NewCache(r.cl, opts)
			require.NoError(t, deployCase(t, r, src))
		})
	}
}

func TestMonolithicFlatIsStoredAsVMFS(t *testing.T) {
	r := newRig(t)
	s := imagetest.NewServer(t, mib)
	s.SetDescriptor([]byte(fmt.Sprintf("# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW %d FLAT \"disk-flat.vmdk\" 0\nddb.adapterType = \"ide\"\n", mib/512)))
	require.NoError(t, deployCase(t, r, image.Source{URI: s.FlatURL(), MD5: s.MD5()}))
	d, err := image.ParseDescriptor(readLocal(t, r, dsPath(t, "[datastore1] i-abc/i-abc.vmdk")))
	require.NoError(t, err)
	assert.Equal(t, "vmfs", d.CreateType)
	assert.Equal(t, image.Extent{Access: "RW", Sectors: mib / 512, Type: "VMFS", File: "i-abc-flat.vmdk"}, d.Extent)
	assert.Equal(t, "ide", d.DDB["ddb.adapterType"])
}

func TestStalledSourceIsResumed(t *testing.T) {
	r := newRig(t)
	opts := fastOpts()
	opts.Fetch.StallTimeout = 300 * time.Millisecond
	r.cache = image.NewCache(r.cl, opts)
	s := imagetest.NewServer(t, 2*mib)
	_, release := s.HoldNext(mib) // never released: the source stalls
	defer release()
	require.NoError(t, deployCase(t, r, image.Source{URI: s.FlatURL(), MD5: s.MD5()}))
	assert.Equal(t, int64(2), s.FlatRequests())
	assert.Equal(t, s.Size(), s.BytesServed())
}
