package registry

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secrets are the parts of the URLs below that no error may quote.
var secrets = []string{"alice", "s3cret", "token", "t0ken"}

func assertRedacted(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s, "%s: %v", what, err)
	}
}

// TestErrorsRedactURLs: a URL with user:password@ and a ?token= query,
// well formed or not, never reaches an error message of NewClient, the
// client's requests, PairFromFlat, ProbePair or VerifyMD5.
func TestErrorsRedactURLs(t *testing.T) {
	ctx := context.Background()
	for _, in := range []string{
		"http://alice:s3cret@dcmgr/?token=t0ken",
		"ftp://alice:s3cret@dcmgr/?token=t0ken",
		"http://alice:s3cret@[::1/?token=t0ken",
		"http://alice:s3cret@dcmgr/%zz?token=t0ken",
	} {
		_, err := NewClient(in)
		assertRedacted(t, err, "NewClient "+in)
	}

	// A base URL may carry a query; a failed request does not quote it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := NewClient("http://"+addr+"/api/12.03/?token=t0ken", WithRetries(0, time.Millisecond))
	require.NoError(t, err)
	_, err = c.CreateHostNode(ctx, HostNodeFields{NodeID: "hva.x"})
	assertRedacted(t, err, "POST to a dead server")
	assert.ErrorContains(t, err, "POST host_nodes")

	uris := []string{
		"http://alice:s3cret@h/disk-flat.vmdk?token=t0ken",
		"ftp://alice:s3cret@h/disk-flat.vmdk?token=t0ken",
		"http://alice:s3cret@/disk-flat.vmdk?token=t0ken",
		"http://alice:s3cret@h/%zz-flat.vmdk?token=t0ken",
		"http://h/disk-flat.vmdk?token=t0ken",
		"http://h/disk.vmdk?token=t0ken",
	}
	for _, in := range uris {
		_, err := PairFromFlat(in)
		assert.ErrorIs(t, err, ErrInvalid, in)
		assertRedacted(t, err, "PairFromFlat "+in)
	}
	bad := "http://alice:s3cret@h/%zz-flat.vmdk?token=t0ken"
	_, err = ProbePair(ctx, nil, Pair{FlatURI: bad, DescriptorURI: bad})
	assertRedacted(t, err, "ProbePair")
	for _, size := range []int64{-1, 10} {
		err = VerifyMD5(ctx, nil, bad, "0123456789abcdef0123456789abcdef", size, nil)
		assert.ErrorIs(t, err, ErrInvalid)
		assertRedacted(t, err, "VerifyMD5")
	}
}
