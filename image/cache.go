package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// DefaultCacheDir is the cache's folder on the datastore when
// CacheOptions.Dir is not set.
const DefaultCacheDir = ".esxi-hva/images"

// Source names an image: the flat's (or the descriptor's) URI and the
// flat's md5.
type Source struct {
	URI  string // flat ("...-flat.vmdk") or descriptor URI; http, https or file
	MD5  string // expected md5 of the flat file, 32 hex digits (required)
	Size int64  // expected flat size if known, else 0
}

// CacheOptions configure a Cache.
type CacheOptions struct {
	// Dir is the cache's folder; default "[<files.Datastore()>] .esxi-hva/images".
	Dir esxi.DatastorePath
	// Fetch says how sources are reached.
	Fetch FetchOptions
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// LockTimeout is how long to wait for another agent's datastore lock
	// on an image before failing with ErrLockTimeout; default 30 minutes.
	LockTimeout time.Duration
	// StaleLock is how long another agent's lock may go without a
	// heartbeat before it is taken to be left by a dead agent and removed;
	// default 2 minutes. A live holder beats every StaleLock/4.
	StaleLock time.Duration
	// LockPoll is how often a waiting agent looks at the lock; default 1s.
	LockPoll time.Duration
	// Observer is told of hits, misses and bytes moved; default none.
	Observer CacheObserver
	// VMs lists the host's VMs for Prune, which keeps every entry a VM's
	// disk has as parent (linked clones). Default: the Files given to
	// NewCache when it is a VMLister (*esxi.Client is).
	VMs VMLister
}

const (
	defaultLockTimeout = 30 * time.Minute
	defaultStaleLock   = 2 * time.Minute
	defaultLockPoll    = time.Second
	markerName         = "entry.json"
)

// Entry is a verified image in the cache.
type Entry struct {
	MD5        string
	Dir        esxi.DatastorePath // the entry's folder, "<cache>/<md5>"
	Descriptor esxi.DatastorePath // "<cache>/<md5>/<md5>.vmdk"
	Flat       esxi.DatastorePath // "<cache>/<md5>/<md5>-flat.vmdk"
	Size       int64              // the flat's size in bytes
	Source     string             // the URI it was fetched from, without credentials
	Created    time.Time
	LastUsed   time.Time
	// InUse is set by Entries and Prune when this Cache is deploying or
	// fetching the entry.
	InUse bool
}

// marker is the entry.json file stored with each entry.
type marker struct {
	MD5      string    `json:"md5"`
	Source   string    `json:"source"`
	Size     int64     `json:"size"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
}

// Cache keeps verified image pairs on the datastore, keyed by md5, and
// deploys private copies of them. It is safe for concurrent use; several
// Caches (agents) may share a datastore.
type Cache struct {
	files esxi.Files
	dir   esxi.DatastorePath
	opts  CacheOptions
	log   *slog.Logger
	fetch *fetcher

	mu      sync.Mutex
	cond    *sync.Cond
	flights map[string]*flight
	inUse   map[string]int
	pruning map[string]bool
}

// NewCache returns a Cache writing through files.
func NewCache(files esxi.Files, opts CacheOptions) *Cache {
	if opts.Dir.IsZero() {
		opts.Dir = esxi.DatastorePath{Datastore: files.Datastore(), Path: DefaultCacheDir}
	}
	if opts.Dir.Datastore == "" {
		opts.Dir.Datastore = files.Datastore()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.Logger = ctxLogger(opts.Logger)
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = defaultLockTimeout
	}
	if opts.StaleLock <= 0 {
		opts.StaleLock = defaultStaleLock
	}
	if opts.LockPoll <= 0 {
		opts.LockPoll = defaultLockPoll
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	c := &Cache{
		files: files, dir: opts.Dir, opts: opts, log: opts.Logger,
		fetch:   newFetcher(opts.Fetch, opts.Logger),
		flights: map[string]*flight{}, inUse: map[string]int{}, pruning: map[string]bool{},
	}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// Dir is the cache's folder.
func (c *Cache) Dir() esxi.DatastorePath { return c.dir }

// checkMD5 normalizes an md5 to lower-case hex.
func checkMD5(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 32 || !isHex(s, 32) {
		return "", fmt.Errorf("%w: md5 %q is not 32 hex digits", ErrInvalidSource, clip(s))
	}
	return s, nil
}

func (c *Cache) entryPaths(sum string) Entry {
	dir := esxi.DatastorePath{Datastore: c.dir.Datastore, Path: path.Join(c.dir.Path, sum)}
	return Entry{
		MD5:        sum,
		Dir:        dir,
		Descriptor: esxi.DatastorePath{Datastore: dir.Datastore, Path: dir.Path + "/" + sum + ".vmdk"},
		Flat:       esxi.DatastorePath{Datastore: dir.Datastore, Path: dir.Path + "/" + sum + "-flat.vmdk"},
	}
}

// Lookup returns the cache's entry for an md5 without fetching anything; an
// image that is not cached is an error wrapping esxi.ErrNotFound.
func (c *Cache) Lookup(ctx context.Context, md5 string) (Entry, error) {
	sum, err := checkMD5(md5)
	if err != nil {
		return Entry{}, err
	}
	e, err := c.lookup(ctx, sum)
	if err != nil {
		return Entry{}, fmt.Errorf("look up image %s in the cache: %w", sum, err)
	}
	c.mu.Lock()
	e.InUse = c.inUse[sum] > 0
	c.mu.Unlock()
	return e, nil
}

// markerReads is how many times lookup reads a marker that does not
// parse before repairing it: markers are replaced atomically, but an agent
// of an older version rewrites them in place, and a reader can see such a
// marker empty or cut for a moment.
const markerReads = 5

// lookup returns the cached entry, or an error wrapping esxi.ErrNotFound.
// A marker that is missing beside a flat, or that stays unreadable, is
// repaired from the entry's pair (repairMarker), never a lasting failure.
func (c *Cache) lookup(ctx context.Context, sum string) (Entry, error) {
	e := c.entryPaths(sum)
	mp := markerPath(e.Dir)
	var m marker
	for try := 1; ; try++ {
		var buf bytes.Buffer
		if _, err := c.files.Download(ctx, mp, &limitedWriter{w: &buf, n: MaxDescriptorSize}); err != nil {
			if errors.Is(err, esxi.ErrNotFound) && ctx.Err() == nil {
				return c.repairMarker(ctx, sum, err)
			}
			return Entry{}, err
		}
		m = marker{}
		err := json.Unmarshal(buf.Bytes(), &m)
		if err == nil && m.MD5 != sum {
			err = fmt.Errorf("the marker is for md5 %q", m.MD5)
		}
		if err == nil {
			break
		}
		if try == markerReads {
			return c.repairMarker(ctx, sum, fmt.Errorf("read cache marker %s: %w", mp, err))
		}
		select {
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		case <-time.After(time.Duration(try) * 20 * time.Millisecond):
		}
	}
	e.Size, e.Source, e.Created, e.LastUsed = m.Size, m.Source, m.Created, m.LastUsed
	return e, nil
}

// Ensure makes sure the image is in the cache, fetching and verifying it
// when it is not, and returns its entry. Concurrent calls for one md5 share
// a single download (and agents sharing the datastore, a single lock).
func (c *Cache) Ensure(ctx context.Context, src Source, progress ProgressFunc) (Entry, error) {
	sum, err := checkMD5(src.MD5)
	if err != nil {
		return Entry{}, err
	}
	e, err := c.lookup(ctx, sum)
	if err == nil {
		c.opts.Observer.Lookup(sum, true)
		return e, nil
	}
	if !errors.Is(err, esxi.ErrNotFound) {
		return Entry{}, fmt.Errorf("look up image %s in the cache: %w", sum, err)
	}
	c.opts.Observer.Lookup(sum, false)
	fetch := func(ctx context.Context, p ProgressFunc) (Entry, error) {
		return c.fetchLocked(ctx, src, sum, p)
	}
	e, used, err := c.join(ctx, sum, src.URI, false, progress, fetch)
	if err != nil && used != src.URI && ctx.Err() == nil && isSourceError(err) {
		// The fetch shared with a concurrent caller used that caller's
		// source, and the source failed: this caller's may be healthy.
		c.log.WarnContext(ctx, "image cache: the shared fetch's source failed; fetching from this caller's own", "md5", sum, "err", err)
		e, _, err = c.join(ctx, sum, src.URI, true, progress, fetch)
	}
	return e, err
}

// Deploy makes dst (a descriptor path like "[datastore1] i-abc/i-abc.vmdk")
// and its flat ("i-abc-flat.vmdk") a private copy of the verified image,
// fetching it into the cache first unless the md5 is cached. The folder of
// dst must exist (the caller creates it). The stored descriptor is
// rewritten for the new name. An existing dst is esxi.ErrExists and is left
// alone; on any other failure nothing of dst is left.
func (c *Cache) Deploy(ctx context.Context, src Source, dst esxi.DatastorePath, progress ProgressFunc) error {
	sum, err := checkMD5(src.MD5)
	if err != nil {
		return err
	}
	base := dst.Base()
	name, ok := strings.CutSuffix(base, ".vmdk")
	if !ok || name == "" || strings.HasSuffix(name, "-flat") {
		return fmt.Errorf("deploy image to %s: %w: the destination must be a descriptor path ending in .vmdk (not -flat.vmdk)", dst, esxi.ErrBadName)
	}
	if dst.Datastore == "" {
		dst.Datastore = c.files.Datastore()
	}
	flatName := name + "-flat.vmdk"
	dstFlat, err := dst.Dir().Join(flatName)
	if err != nil {
		return fmt.Errorf("deploy image to %s: %w", dst, err)
	}
	// One listing checks that the folder exists and that neither file
	// does (a failed copy must not delete what was there before), before
	// anything is fetched: an existing copy must not cost a download.
	list, err := c.files.ListDir(ctx, dst.Dir())
	if err != nil {
		return fmt.Errorf("deploy image %s to %s: the destination folder: %w", sum, dst, err)
	}
	for _, fi := range list {
		if b := fi.Path.Base(); b == base || b == flatName {
			return fmt.Errorf("deploy image %s to %s: %w: %s", sum, dst, esxi.ErrExists, fi.Path)
		}
	}
	release := c.use(sum)
	defer release()

	e, err := c.Ensure(ctx, src, progress)
	if err != nil {
		return err
	}
	desc, err := c.readDescriptor(ctx, e.Descriptor)
	if err != nil {
		return fmt.Errorf("deploy image %s to %s: cached descriptor: %w", sum, dst, err)
	}
	err = c.copyPair(ctx, e, desc.Rename(flatName), dst, dstFlat)
	if errors.Is(err, esxi.ErrNotFound) && ctx.Err() == nil {
		// The entry lost its flat (deleted by hand, or pruned by another
		// agent while its marker was being rewritten): drop it and fetch
		// the image again, once.
		c.log.WarnContext(ctx, "image cache: entry is broken, fetching it again", "md5", sum, "err", err)
		c.cleanup(ctx, dst, dstFlat, e.Dir)
		if e, err = c.Ensure(ctx, src, progress); err != nil {
			return err
		}
		err = c.copyPair(ctx, e, desc.Rename(flatName), dst, dstFlat)
	}
	if err != nil {
		c.cleanup(ctx, dst, dstFlat)
		return fmt.Errorf("deploy image %s to %s: %w", sum, dst, err)
	}
	c.touch(ctx, e)
	if progress != nil {
		progress(Progress{Done: e.Size, Total: e.Size})
	}
	c.log.InfoContext(ctx, "image deployed", "md5", sum, "dst", dst.String(), "size", e.Size)
	return nil
}

func (c *Cache) copyPair(ctx context.Context, e Entry, desc []byte, dst, dstFlat esxi.DatastorePath) error {
	if err := c.files.CopyDisk(ctx, e.Descriptor, dst); err != nil {
		return err
	}
	// ESXi rewrites the extent of a copied disk; vcsim copies the two files
	// as they are. Write the renamed descriptor either way.
	if err := c.files.Upload(ctx, dst, bytes.NewReader(desc), int64(len(desc))); err != nil {
		return fmt.Errorf("write descriptor: %w", err)
	}
	fi, err := c.files.Stat(ctx, dstFlat)
	if err != nil {
		return fmt.Errorf("the copy's flat: %w", err)
	}
	if fi.Size != e.Size {
		return fmt.Errorf("%w: the copy's flat %s is %d bytes, the cached one %d", ErrSizeMismatch, dstFlat, fi.Size, e.Size)
	}
	return nil
}

// cleanup deletes files whatever the context's state.
func (c *Cache) cleanup(ctx context.Context, paths ...esxi.DatastorePath) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, p := range paths {
		if err := c.files.Delete(ctx, p); err != nil && !errors.Is(err, esxi.ErrNotFound) {
			c.log.WarnContext(ctx, "image cleanup failed", "path", p.String(), "err", err)
		}
	}
}

func (c *Cache) readDescriptor(ctx context.Context, p esxi.DatastorePath) (*Descriptor, error) {
	var buf bytes.Buffer
	if _, err := c.files.Download(ctx, p, &limitedWriter{w: &buf, n: MaxDescriptorSize}); err != nil {
		return nil, err
	}
	return ParseDescriptor(buf.Bytes())
}

// touchEvery is how often a deploy rewrites an entry's marker: last use
// is for pruning by age, which needs no finer grain, and fewer rewrites
// mean fewer torn reads for concurrent deploys.
const touchEvery = time.Minute

// touch records the entry's last use (best effort).
func (c *Cache) touch(ctx context.Context, e Entry) {
	if time.Since(e.LastUsed) < touchEvery {
		return
	}
	m := marker{MD5: e.MD5, Source: e.Source, Size: e.Size, Created: e.Created, LastUsed: time.Now().UTC()}
	if err := c.replaceMarker(ctx, e.Dir, m); err != nil {
		c.log.WarnContext(ctx, "image cache: recording last use failed", "md5", e.MD5, "err", err)
	}
}

// use marks sum in use (Prune leaves it alone) until release is called,
// after waiting for a prune of it to end.
func (c *Cache) use(sum string) (release func()) {
	c.mu.Lock()
	for c.pruning[sum] {
		c.cond.Wait()
	}
	c.inUse[sum]++
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.inUse[sum]--; c.inUse[sum] <= 0 {
			delete(c.inUse, sum)
		}
		c.mu.Unlock()
	}
}

// limitedWriter fails after n bytes.
type limitedWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrInvalidDescriptor, MaxDescriptorSize)
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}
