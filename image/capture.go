package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/fetch"
	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/stall"
)

// Captured describes a pair read from the datastore.
type Captured struct {
	MD5        string // of the flat, 32 lower-case hex digits
	Size       int64  // of the flat
	Descriptor []byte // the descriptor as stored
}

// Capture streams the flat of the pair whose descriptor is desc into flat,
// computing its md5 on the way (in its own goroutine, as for fetches), and
// returns it with the descriptor's text. The flat's size must be the one the
// descriptor gives.
func Capture(ctx context.Context, files esxi.Files, desc esxi.DatastorePath, flat io.Writer, progress ProgressFunc) (Captured, error) {
	d, raw, flatPath, err := readPair(ctx, files, desc)
	if err != nil {
		return Captured{}, err
	}
	return capture(ctx, files, d, raw, flatPath, flat, progress)
}

func readPair(ctx context.Context, files esxi.Files, desc esxi.DatastorePath) (*Descriptor, []byte, esxi.DatastorePath, error) {
	var buf bytes.Buffer
	if _, err := files.Download(ctx, desc, &limitedWriter{w: &buf, n: MaxDescriptorSize}); err != nil {
		return nil, nil, esxi.DatastorePath{}, fmt.Errorf("capture %s: %w", desc, err)
	}
	d, err := ParseDescriptor(buf.Bytes())
	if err != nil {
		return nil, nil, esxi.DatastorePath{}, fmt.Errorf("capture %s: %w", desc, err)
	}
	flatPath, err := desc.Dir().Join(d.Extent.File)
	if err != nil {
		return nil, nil, esxi.DatastorePath{}, fmt.Errorf("capture %s: %w", desc, err)
	}
	return d, buf.Bytes(), flatPath, nil
}

func capture(ctx context.Context, files esxi.Files, d *Descriptor, raw []byte, flatPath esxi.DatastorePath, w io.Writer, progress ProgressFunc) (Captured, error) {
	size := d.Size()
	fi, err := files.Stat(ctx, flatPath)
	if err != nil {
		return Captured{}, fmt.Errorf("capture %s: %w", flatPath, err)
	}
	if fi.Size != size {
		return Captured{}, fmt.Errorf("%w: capture %s: the flat is %d bytes, its descriptor says %d", ErrSizeMismatch, flatPath, fi.Size, size)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	pr, pw := io.Pipe()
	dlErr := make(chan error, 1)
	go func() {
		_, err := files.Download(ctx, flatPath, pw)
		pw.CloseWithError(err)
		dlErr <- err
	}()
	m := newMeter(progress, size)
	p := startPump(ctx, pr, m)
	_, werr := io.Copy(w, p)
	if werr != nil {
		p.abort(werr)
		cancel(werr)
		_ = pr.CloseWithError(werr)
	}
	sum, n, srcErr := p.finish(werr == nil)
	_ = pr.CloseWithError(errPumpClosed)
	derr := <-dlErr
	switch {
	case werr != nil:
		return Captured{}, fmt.Errorf("capture %s: writing: %w", flatPath, werr)
	case derr != nil:
		return Captured{}, fmt.Errorf("capture %s: %w", flatPath, derr)
	case srcErr != nil:
		return Captured{}, fmt.Errorf("capture %s: %w", flatPath, srcErr)
	case n != size:
		return Captured{}, fmt.Errorf("%w: capture %s: read %d bytes, the descriptor says %d", ErrSizeMismatch, flatPath, n, size)
	}
	m.finish()
	return Captured{MD5: sum, Size: n, Descriptor: raw}, nil
}

// PutPair captures the pair whose descriptor is desc to HTTP PUT (WebDAV)
// targets: the flat to flatURL, then the descriptor, rewritten to name the
// flat's file, to the URL DescriptorURI derives from flatURL. A non-2xx
// answer is a *StatusError naming the URL (without credentials) and status.
// The caller compares the returned MD5 with what it expects, or records it;
// the returned Descriptor is the one sent.
func PutPair(ctx context.Context, files esxi.Files, desc esxi.DatastorePath, flatURL string, opts FetchOptions, progress ProgressFunc) (Captured, error) {
	fu, err := parseURI(flatURL)
	if err != nil {
		return Captured{}, err
	}
	if fu.Scheme == "file" {
		return Captured{}, fmt.Errorf("%w: %s: PutPair needs an http or https target", ErrInvalidSource, redact.URL(fu))
	}
	du, err := DescriptorURI(flatURL)
	if err != nil {
		return Captured{}, err
	}
	descU, _ := parseURI(du)
	d, raw, flatPath, err := readPair(ctx, files, desc)
	if err != nil {
		return Captured{}, err
	}
	f := newFetcher(opts, nil)
	defer f.idle()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	type result struct {
		c   Captured
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := capture(ctx, files, d, raw, flatPath, pw, progress)
		pw.CloseWithError(err)
		done <- result{c, err}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, fu.String(), struct{ io.Reader }{pr})
	if err != nil {
		cancel()
		_ = pr.CloseWithError(err)
		<-done
		return Captured{}, fmt.Errorf("%w: %s: %v", ErrInvalidSource, redact.URL(fu), err)
	}
	req.ContentLength = d.Size()
	req.Header.Set("Content-Type", "application/octet-stream")
	putErr := doPut(f, req)
	if putErr != nil {
		cancel()
		_ = pr.CloseWithError(putErr)
	}
	res := <-done
	if putErr != nil {
		if res.err != nil && !errors.Is(res.err, context.Canceled) && !errors.Is(res.err, io.ErrClosedPipe) && !errors.Is(res.err, putErr) {
			return Captured{}, fmt.Errorf("%w (and %v)", putErr, res.err)
		}
		return Captured{}, putErr
	}
	if res.err != nil {
		return Captured{}, res.err
	}
	body := d.Rename(path.Base(fu.Path))
	req, err = http.NewRequestWithContext(ctx, http.MethodPut, descU.String(), bytes.NewReader(body))
	if err != nil {
		return Captured{}, fmt.Errorf("%w: %s: %v", ErrInvalidSource, redact.URL(descU), err)
	}
	req.Header.Set("Content-Type", "text/plain")
	if err := doPut(f, req); err != nil {
		return Captured{}, err
	}
	res.c.Descriptor = body
	return res.c, nil
}

// doPut sends req under a stall watchdog that runs from the start: the
// target must take each next byte of the body, and answer after the last
// one, within the stall timeout (time spent waiting on the datastore
// download feeding the body does not count, that download has its own).
func doPut(f *fetcher, req *http.Request) error {
	wctx, wd := stall.New(req.Context(), f.Stall)
	defer wd.Stop()
	req = req.WithContext(wctx)
	if req.Body != nil {
		req.Body = io.NopCloser(wd.Sink(req.Body))
	} else {
		wd.Arm()
	}
	resp, err := f.Client.Do(req)
	wd.Disarm()
	if err != nil {
		return fmt.Errorf("PUT %s: %w", redact.URL(req.URL), wd.WrapTimeout(redact.Err(err)))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(wd.Source(resp.Body), 4<<10))
	if resp.StatusCode/100 != 2 {
		return fetch.NewStatusError(http.MethodPut, req.URL, resp)
	}
	return nil
}
