package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/internal/redact"
)

// fetchLocked takes the datastore lock of sum and fetches the image unless
// it appeared meanwhile.
func (c *Cache) fetchLocked(ctx context.Context, src Source, sum string, progress ProgressFunc) (Entry, error) {
	release, waited, err := c.lock(ctx, sum)
	if errors.Is(err, errEntryAppeared) {
		return c.lookup(ctx, sum)
	}
	if err != nil {
		return Entry{}, err
	}
	defer release()
	if waited {
		// The agent we waited for may have broken off, or finished just
		// as it released the lock.
		if e, err := c.lookup(ctx, sum); err == nil {
			return e, nil
		}
	}
	return c.download(ctx, src, sum, progress)
}

func randomName(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// resolve finds the flat and descriptor URIs of a source.
func resolve(uri string) (flat, desc *url.URL, err error) {
	u, err := parseURI(uri)
	if err != nil {
		return nil, nil, err
	}
	if !isFlatURI(u) {
		return nil, u, nil
	}
	d, err := DescriptorURI(uri)
	if err != nil {
		return nil, nil, err
	}
	desc, err = url.Parse(d)
	return u, desc, err
}

// download fetches the pair into a temporary folder of the cache, verifies
// the md5 while streaming and moves the folder into place.
func (c *Cache) download(ctx context.Context, src Source, sum string, progress ProgressFunc) (Entry, error) {
	flatU, descU, err := resolve(src.URI)
	if err != nil {
		return Entry{}, fromSource(err)
	}
	defer c.fetch.idle()
	descBytes, err := c.fetch.readSmall(ctx, descU, MaxDescriptorSize)
	if err != nil {
		return Entry{}, fromSource(fmt.Errorf("fetch image descriptor: %w", err))
	}
	desc, err := ParseDescriptor(descBytes)
	if err != nil {
		return Entry{}, fromSource(fmt.Errorf("descriptor %s: %w", redact.URL(descU), err))
	}
	if flatU == nil {
		v, err := url.Parse(siblingURI(descU, desc.Extent.File))
		if err != nil {
			return Entry{}, fromSource(fmt.Errorf("%w: the extent %q of %s: %v", ErrInvalidSource, desc.Extent.File, redact.URL(descU), redact.Err(err)))
		}
		flatU = v
	} else if want := path.Base(flatU.Path); desc.Extent.File != want {
		return Entry{}, fromSource(fmt.Errorf("%w: the descriptor %s names the flat %q, not %q", ErrInvalidSource, redact.URL(descU), desc.Extent.File, want))
	}
	size := desc.Size()
	if src.Size > 0 && src.Size != size {
		return Entry{}, fromSource(fmt.Errorf("%w: the source's size is %d bytes but the descriptor %s says %d (%d sectors)", ErrSizeMismatch, src.Size, redact.URL(descU), size, desc.Extent.Sectors))
	}
	// The source is read on a context of its own, so that a failed upload
	// can interrupt a read in progress before the pump is finished.
	sctx, scancel := context.WithCancelCause(ctx)
	defer scancel(nil)
	st, err := c.fetch.openFlat(sctx, flatU, size)
	if err != nil {
		return Entry{}, fromSource(fmt.Errorf("fetch image flat: %w", err))
	}
	defer st.Close()

	tmp, err := c.dir.Join(randomName(".tmp-"))
	if err != nil {
		return Entry{}, err
	}
	if err := c.files.MakeDirectory(ctx, tmp); err != nil {
		return Entry{}, fmt.Errorf("make temporary image folder: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			c.cleanup(ctx, tmp)
		}
	}()
	tmpFlat := esxi.DatastorePath{Datastore: tmp.Datastore, Path: tmp.Path + "/" + sum + "-flat.vmdk"}
	tmpDesc := esxi.DatastorePath{Datastore: tmp.Datastore, Path: tmp.Path + "/" + sum + ".vmdk"}

	c.log.InfoContext(ctx, "fetching image", "md5", sum, "url", redact.URL(flatU), "size", size, "tmp", tmp.String())
	m := newMeter(progress, size)
	p := startPump(ctx, st, m)
	upErr := c.files.Upload(ctx, tmpFlat, p, size)
	if upErr != nil {
		p.abort(upErr)
		scancel(upErr)
	}
	got, n, srcErr := p.finish(upErr == nil)
	if upErr == nil {
		c.opts.Observer.Transferred(sum, n, n)
	} else {
		c.opts.Observer.Transferred(sum, n, 0)
	}
	switch {
	case ctx.Err() != nil:
		return Entry{}, fmt.Errorf("fetch image %s: %w", sum, context.Cause(ctx))
	case srcErr != nil && !errors.Is(srcErr, upErr):
		return Entry{}, fromSource(fmt.Errorf("fetch image flat: %w", srcErr))
	case upErr != nil:
		return Entry{}, fmt.Errorf("upload image %s to %s: %w", sum, tmpFlat, upErr)
	case n != size:
		return Entry{}, fromSource(fmt.Errorf("%w: %s gave %d bytes, the descriptor says %d", ErrSizeMismatch, redact.URL(flatU), n, size))
	case got != sum:
		return Entry{}, fromSource(&ChecksumError{URI: redact.URL(flatU), Expected: sum, Actual: got})
	}
	m.finish()

	renamed := desc.AsVMFS().Rename(path.Base(tmpFlat.Path))
	if err := c.files.Upload(ctx, tmpDesc, bytes.NewReader(renamed), int64(len(renamed))); err != nil {
		return Entry{}, fmt.Errorf("upload image descriptor %s: %w", tmpDesc, err)
	}
	now := time.Now().UTC()
	mk := marker{MD5: sum, Source: redact.URL(flatU), Size: size, Created: now, LastUsed: now}
	if err := c.writeMarker(ctx, tmp, mk); err != nil {
		return Entry{}, fmt.Errorf("write image marker: %w", err)
	}
	e := c.entryPaths(sum)
	if err := c.files.MoveFile(ctx, tmp, e.Dir); err != nil {
		if errors.Is(err, esxi.ErrExists) {
			// Another agent finished first (after breaking a lock it
			// thought stale): theirs is as good as ours.
			return c.lookup(ctx, sum)
		}
		return Entry{}, fmt.Errorf("move image %s into the cache: %w", sum, err)
	}
	ok = true
	e.Size, e.Source, e.Created, e.LastUsed = size, mk.Source, now, now
	c.log.InfoContext(ctx, "image cached", "md5", sum, "entry", e.Dir.String(), "size", size)
	return e, nil
}
