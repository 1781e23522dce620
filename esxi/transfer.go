package esxi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vmware/govmomi/vim25/soap"

	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// Upload implements Files. The body is streamed over HTTP to the host's
// /folder endpoint with the session's cookie (on a vCenter, straight to
// the placement host with a service ticket: see ticket.go); size -1 sends
// it chunked.
// A cancelled context aborts the transfer; the partial file is left for
// the caller to delete (image uploads go to temporary names for this).
//
// A transfer the host refuses because the session was lost (401) logs in
// again and is sent once more when the body can be sent again: nothing
// of it was read yet (the request asks for 100-continue, so a host
// refuses before the body goes), or it is an io.Seeker.
// Otherwise the error says so and wraps ErrSessionLost; the session is
// already back for the caller's retry. A transfer that makes no progress
// for Config.StallTimeout fails with ErrStalled.
func (c *Client) Upload(ctx context.Context, p DatastorePath, r io.Reader, size int64) error {
	const op = "upload"
	p, err := c.checkPath(p)
	if err != nil {
		return &OpError{Op: op, Object: p.String(), Err: err}
	}
	start := int64(-1)
	seeker, _ := r.(io.Seeker)
	if seeker != nil {
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			seeker, start = nil, -1
		}
	}
	cr := &countingReader{r: r}
	stale := c.soap.SessionCookie()
	err = c.upload(ctx, p, cr, size)
	if err == nil || !isUnauthorized(err) {
		return wrapErr(op, p.String(), err)
	}
	if rerr := c.relogin(ctx, stale); rerr != nil {
		return wrapErr(op, p.String(), fmt.Errorf("%w: %w; login again failed: %w", ErrSessionLost, err, rerr))
	}
	switch {
	case cr.n == 0:
	case seeker != nil:
		if _, serr := seeker.Seek(start, io.SeekStart); serr != nil {
			return wrapErr(op, p.String(), fmt.Errorf("%w: %w (and the body cannot be read again: %w)", ErrSessionLost, err, serr))
		}
	default:
		return wrapErr(op, p.String(), fmt.Errorf("%w: %w after %d bytes of a body that cannot be read again; logged in again, retry the upload", ErrSessionLost, err, cr.n))
	}
	return wrapErr(op, p.String(), c.upload(ctx, p, &countingReader{r: r}, size))
}

func (c *Client) upload(ctx context.Context, p DatastorePath, r io.Reader, size int64) error {
	param := soap.DefaultUpload
	// With "Expect: 100-continue" the host refuses a lost session (401)
	// before any of the body is sent, so even a stream can be sent again
	// after the login (net/http sends the body anyway after one second
	// without an answer, for hosts that do not answer 100).
	param.Headers = map[string]string{"Expect": "100-continue"}
	param.ContentLength = size
	if size < 0 {
		param.ContentLength = -1
	}
	// The watchdog fails an upload the host stops taking, or does not
	// answer once the body is sent. The body is read through a plain
	// io.Reader so net/http cannot learn the length from the concrete
	// type and disagree with size.
	wctx, wd := stall.New(ctx, c.cfg.stallTimeout())
	defer wd.Stop()
	body := struct{ io.Reader }{wd.Sink(r)}
	if err := c.putFolder(wctx, p.Path, body, param); err != nil {
		return wd.Wrap(httpErr(err))
	}
	return nil
}

// Download implements Files. A download the host refuses because the
// session was lost (401) logs in again and is tried once more; one that
// makes no progress for Config.StallTimeout fails with ErrStalled (a slow
// w does not count).
func (c *Client) Download(ctx context.Context, p DatastorePath, w io.Writer) (int64, error) {
	const op = "download"
	p, err := c.checkPath(p)
	if err != nil {
		return 0, &OpError{Op: op, Object: p.String(), Err: err}
	}
	stale := c.soap.SessionCookie()
	n, err := c.download(ctx, p, w)
	if err != nil && n == 0 && isUnauthorized(err) {
		if rerr := c.relogin(ctx, stale); rerr != nil {
			return 0, wrapErr(op, p.String(), fmt.Errorf("%w: %w; login again failed: %w", ErrSessionLost, err, rerr))
		}
		n, err = c.download(ctx, p, w)
	}
	return n, wrapErr(op, p.String(), err)
}

func (c *Client) download(ctx context.Context, p DatastorePath, w io.Writer) (int64, error) {
	wctx, wd := stall.New(ctx, c.cfg.stallTimeout())
	defer wd.Stop()
	wd.Arm() // until the headers come
	rc, err := c.getFolder(wctx, p.Path)
	wd.Disarm()
	if err != nil {
		return 0, wd.Wrap(httpErr(err))
	}
	defer rc.Close()
	n, err := io.Copy(w, wd.Source(rc))
	return n, wd.Wrap(err)
}

// isUnauthorized reports whether a transfer failed with HTTP 401, the
// answer of ESXi's /folder to a lost or expired session cookie.
func isUnauthorized(err error) bool {
	return err != nil && !errors.Is(err, ErrStalled) && strings.Contains(err.Error(), "401 Unauthorized")
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
