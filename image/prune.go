package image

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// PruneOptions say which cache entries Prune drops. An entry in use (being
// fetched or deployed by this Cache) is never dropped.
type PruneOptions struct {
	// MaxAge drops entries not used for longer than this; 0 keeps all.
	MaxAge time.Duration
	// MaxBytes drops the least recently used entries until the flats
	// kept total at most this many bytes; 0 means no budget.
	MaxBytes int64
	// Now is the time ages are measured from; zero means time.Now().
	Now time.Time
	// DryRun reports what would be dropped without deleting it.
	DryRun bool
}

// staleTemp is the age after which Prune deletes a temporary folder that
// a crashed agent left behind (no transfer takes that long).
const staleTemp = 24 * time.Hour

// pruneTemps deletes ".tmp-*" folders older than staleTemp.
func (c *Cache) pruneTemps(ctx context.Context, now time.Time, dryRun bool) {
	list, err := c.files.ListDir(ctx, c.dir)
	if err != nil {
		return
	}
	for _, fi := range list {
		if !fi.IsDir || !strings.HasPrefix(fi.Path.Base(), ".tmp-") || fi.ModTime.IsZero() || now.Sub(fi.ModTime) < staleTemp {
			continue
		}
		c.log.InfoContext(ctx, "image cache: deleting a temporary folder left behind", "path", fi.Path.String(), "modified", fi.ModTime)
		if dryRun {
			continue
		}
		if err := c.files.Delete(ctx, fi.Path); err != nil && !errors.Is(err, esxi.ErrNotFound) {
			c.log.WarnContext(ctx, "image cache: deleting a temporary folder failed", "path", fi.Path.String(), "err", err)
		}
	}
}

// Entries lists the cache's entries, least recently used first. An empty or
// missing cache is no error.
func (c *Cache) Entries(ctx context.Context) ([]Entry, error) {
	list, err := c.files.ListDir(ctx, c.dir)
	if errors.Is(err, esxi.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list image cache %s: %w", c.dir, err)
	}
	var out []Entry
	for _, fi := range list {
		name := fi.Path.Base()
		if !fi.IsDir || !isHex(name, 32) {
			continue
		}
		e, err := c.lookup(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("image cache entry %s: %w", fi.Path, err)
			}
			// One unreadable entry must not hide (or keep Prune from)
			// the others.
			c.log.WarnContext(ctx, "image cache: skipping an entry without a readable marker", "path", fi.Path.String(), "err", err)
			continue
		}
		c.mu.Lock()
		e.InUse = c.inUse[name] > 0
		c.mu.Unlock()
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastUsed.Before(out[j].LastUsed) })
	return out, nil
}

// Prune drops entries not used for MaxAge and, least recently used first,
// entries beyond the MaxBytes budget, and returns what it dropped. An entry
// in use is kept (and still counts against the budget): one this Cache is
// fetching, deploying or holding for a launch (Acquire), and one that a
// VM's disk on the host has as parent (the base of a linked clone), which
// Prune learns by reading every VM's disk chain after it has marked its
// candidates, so that no launch of this Cache can start on one meanwhile.
// When the VMs cannot be listed Prune drops nothing. An agent sharing the
// datastore that is between fetching an entry and creating its VM is not
// seen (keep MaxAge well above a launch's duration). Prune also deletes
// temporary folders older than a day, which only a crashed agent leaves.
func (c *Cache) Prune(ctx context.Context, p PruneOptions) ([]Entry, error) {
	entries, err := c.Entries(ctx)
	if err != nil {
		return nil, err
	}
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	c.pruneTemps(ctx, now, p.DryRun)
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	var cands []Entry
	c.mu.Lock()
	for _, e := range entries { // least recently used first
		old := p.MaxAge > 0 && now.Sub(e.LastUsed) > p.MaxAge
		over := p.MaxBytes > 0 && total > p.MaxBytes
		if !old && !over {
			continue
		}
		if c.inUse[e.MD5] > 0 {
			c.log.InfoContext(ctx, "image cache: keeping an entry in use", "md5", e.MD5)
			continue
		}
		if !p.DryRun {
			c.pruning[e.MD5] = true
		}
		total -= e.Size
		cands = append(cands, e)
	}
	c.mu.Unlock()
	unmark := func(sum string) {
		if p.DryRun {
			return
		}
		c.mu.Lock()
		delete(c.pruning, sum)
		c.cond.Broadcast()
		c.mu.Unlock()
	}
	if len(cands) == 0 {
		return nil, nil
	}
	// Read the chains only now: a launch of this Cache that held an entry
	// has its VM by the time it released it, and new ones wait.
	kids, err := c.children(ctx)
	if err != nil {
		for _, e := range cands {
			unmark(e.MD5)
		}
		return nil, fmt.Errorf("prune the image cache: %w", err)
	}
	var dropped []Entry
	for i, e := range cands {
		if n := kids[e.MD5]; n > 0 {
			c.log.InfoContext(ctx, "image cache: keeping the base of linked clones", "md5", e.MD5, "children", n)
			unmark(e.MD5)
			continue
		}
		if !p.DryRun {
			err := c.files.Delete(ctx, e.Dir)
			unmark(e.MD5)
			if err != nil && !errors.Is(err, esxi.ErrNotFound) {
				for _, rest := range cands[i+1:] {
					unmark(rest.MD5)
				}
				return dropped, fmt.Errorf("prune image %s: %w", e.MD5, err)
			}
			c.log.InfoContext(ctx, "image cache: pruned", "md5", e.MD5, "size", e.Size, "last_used", e.LastUsed)
		}
		dropped = append(dropped, e)
	}
	return dropped, nil
}
