package image

import (
	"context"
	"fmt"
	"sync"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// VMLister lists the host's VMs with their disk chains; *esxi.Client
// implements it. Prune reads it to keep every entry that a VM's disk has
// as parent (the base of a linked clone).
type VMLister interface {
	ListVMs(ctx context.Context) ([]esxi.VMInfo, error)
}

// Acquire makes sure the image is in the cache, fetching and verifying it
// when it is not, and holds the entry until release is called: Prune
// leaves it alone meanwhile. A linked-clone launch acquires the base,
// creates the VM whose boot disk is a child of e.Descriptor, then
// releases it; from then on the VM's disk chain keeps the base (Prune
// reads it). release may be called more than once.
func (c *Cache) Acquire(ctx context.Context, src Source, progress ProgressFunc) (e Entry, release func(), err error) {
	sum, err := checkMD5(src.MD5)
	if err != nil {
		return Entry{}, nil, err
	}
	rel := c.use(sum)
	var once sync.Once
	release = func() { once.Do(rel) }
	e, err = c.Ensure(ctx, src, progress)
	if err != nil {
		release()
		return Entry{}, nil, err
	}
	if _, err := c.files.Stat(ctx, e.Flat); err != nil {
		// Ensure trusts the marker; a base must really have its flat.
		release()
		return Entry{}, nil, fmt.Errorf("image %s in the cache: its flat: %w", sum, err)
	}
	c.touch(ctx, e)
	if progress != nil {
		progress(Progress{Done: e.Size, Total: e.Size})
	}
	return e, release, nil
}

// children returns the md5s of the entries that some VM's disk has as an
// ancestor. Without a VMLister it returns nil: nothing is known to be a
// base.
func (c *Cache) children(ctx context.Context) (map[string]int, error) {
	vms := c.opts.VMs
	if vms == nil {
		l, ok := c.files.(VMLister)
		if !ok {
			return nil, nil
		}
		vms = l
	}
	list, err := vms.ListVMs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the VMs to find the cache's linked clones: %w", err)
	}
	out := map[string]int{}
	for _, vm := range list {
		for _, parents := range vm.Parents {
			for _, p := range parents {
				if sum, ok := c.entryOf(p); ok {
					out[sum]++
				}
			}
		}
	}
	return out, nil
}

// entryOf returns the md5 of the entry whose descriptor p is.
func (c *Cache) entryOf(p esxi.DatastorePath) (string, bool) {
	if p.Datastore != c.dir.Datastore {
		return "", false
	}
	dir := p.Dir()
	sum := dir.Base()
	if !isHex(sum, 32) || dir.Dir().Path != c.dir.Path || p != c.entryPaths(sum).Descriptor {
		return "", false
	}
	return sum, true
}
