package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// markerPath is the marker file of an entry (or temporary) folder.
func markerPath(dir esxi.DatastorePath) esxi.DatastorePath {
	return esxi.DatastorePath{Datastore: dir.Datastore, Path: dir.Path + "/" + markerName}
}

// writeMarker writes the marker of a folder that no reader sees yet (a
// fetch's temporary folder, moved into place whole afterwards).
func (c *Cache) writeMarker(ctx context.Context, dir esxi.DatastorePath, m marker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return c.files.Upload(ctx, markerPath(dir), bytes.NewReader(b), int64(len(b)))
}

// replaceMarker rewrites the marker of an entry that readers may be
// reading (here or on another agent). A datastore upload is not atomic:
// the new marker is uploaded under a name of its own, then moved over the
// old one, so that a reader finds the old marker, the new one or, for a
// moment, none (which lookup repairs), never one cut half-way. A move
// that finds a marker already back in place (another writer's) keeps it.
func (c *Cache) replaceMarker(ctx context.Context, dir esxi.DatastorePath, m marker) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := dir.Join(randomName(".entry-") + ".json")
	if err != nil {
		return err
	}
	if err := c.files.Upload(ctx, tmp, bytes.NewReader(b), int64(len(b))); err != nil {
		c.cleanup(ctx, tmp)
		return fmt.Errorf("write marker %s: %w", tmp, err)
	}
	final := markerPath(dir)
	if err := c.files.Delete(ctx, final); err != nil && !errors.Is(err, esxi.ErrNotFound) {
		c.cleanup(ctx, tmp)
		return fmt.Errorf("replace marker %s: %w", final, err)
	}
	if err := c.files.MoveFile(ctx, tmp, final); err != nil {
		c.cleanup(ctx, tmp)
		if errors.Is(err, esxi.ErrExists) {
			return nil
		}
		return fmt.Errorf("replace marker %s: %w", final, err)
	}
	return nil
}

// repairMarker answers for an entry whose marker is missing or unreadable
// (why says how). Entry folders only ever appear complete, their flat
// verified against the md5 that names them (a fetch moves its temporary
// folder into place whole), so a flat whose size is the one its
// descriptor gives is the image: the marker is written again from the
// pair, and the entry is as good as before (its source unknown, its
// creation time the flat's). A folder without a matching pair is
// deleted, so that the image is fetched again; that error, like a missing
// marker with no flat (an image not cached), wraps esxi.ErrNotFound.
func (c *Cache) repairMarker(ctx context.Context, sum string, why error) (Entry, error) {
	e := c.entryPaths(sum)
	fi, err := c.files.Stat(ctx, e.Flat)
	if errors.Is(err, esxi.ErrNotFound) && errors.Is(why, esxi.ErrNotFound) {
		return Entry{}, why // not cached
	}
	if err == nil {
		var desc *Descriptor
		if desc, err = c.readDescriptor(ctx, e.Descriptor); err == nil && desc.Size() != fi.Size {
			err = fmt.Errorf("%w: the flat is %d bytes, its descriptor says %d", ErrSizeMismatch, fi.Size, desc.Size())
		}
		if err == nil {
			now := time.Now().UTC()
			m := marker{MD5: sum, Size: fi.Size, Created: fi.ModTime.UTC(), LastUsed: now}
			if m.Created.IsZero() {
				m.Created = now
			}
			c.log.WarnContext(ctx, "image cache: rewriting an entry's marker from its verified pair", "md5", sum, "reason", why)
			if err := c.replaceMarker(ctx, e.Dir, m); err != nil {
				c.log.WarnContext(ctx, "image cache: rewriting a marker failed; the entry is used anyway", "md5", sum, "err", err)
			}
			e.Size, e.Created, e.LastUsed = m.Size, m.Created, m.LastUsed
			return e, nil
		}
	}
	if ctx.Err() != nil {
		return Entry{}, ctx.Err()
	}
	if !errors.Is(err, esxi.ErrNotFound) && !errors.Is(err, ErrSizeMismatch) && !errors.Is(err, ErrInvalidDescriptor) {
		return Entry{}, fmt.Errorf("check cache entry %s: %w (marker: %w)", e.Dir, err, why)
	}
	c.log.WarnContext(ctx, "image cache: deleting a broken entry", "md5", sum, "marker", why, "pair", err)
	c.cleanup(ctx, e.Dir)
	return Entry{}, fmt.Errorf("%w: cache entry %s was broken (%v; %v) and is deleted", esxi.ErrNotFound, e.Dir, why, err)
}
