package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// The datastore lock keeps agents sharing a datastore from fetching the
// same image twice; the package doc describes it.

// errEntryAppeared: while waiting for the lock, another agent cached the
// image.
var errEntryAppeared = errors.New("image appeared in the cache")

func (c *Cache) lockPath(sum string) esxi.DatastorePath {
	return esxi.DatastorePath{Datastore: c.dir.Datastore, Path: c.dir.Path + "/.lock-" + sum}
}

// lock takes the datastore lock of sum, or reports errEntryAppeared.
// waited says whether another agent held it first.
func (c *Cache) lock(ctx context.Context, sum string) (release func(), waited bool, err error) {
	lp := c.lockPath(sum)
	owner := esxi.DatastorePath{Datastore: lp.Datastore, Path: lp.Path + "/owner"}
	start := time.Now()
	var (
		seen       []byte
		seenAt     time.Time
		haveSeen   bool
		loggedWait bool
	)
	for {
		err := c.files.MakeDirectory(ctx, lp)
		if err == nil {
			return c.holdLock(ctx, lp, owner), loggedWait, nil
		}
		if !errors.Is(err, esxi.ErrExists) {
			return nil, false, fmt.Errorf("take image lock %s: %w", lp, err)
		}
		if _, err := c.lookup(ctx, sum); err == nil {
			return nil, true, errEntryAppeared
		}
		var buf bytes.Buffer
		_, derr := c.files.Download(ctx, owner, &limitedWriter{w: &buf, n: 4 << 10})
		switch {
		case derr != nil && !errors.Is(derr, esxi.ErrNotFound):
			if ctx.Err() != nil {
				return nil, true, context.Cause(ctx)
			}
			c.log.WarnContext(ctx, "image lock: reading the owner failed", "lock", lp.String(), "err", derr)
		case !haveSeen || !bytes.Equal(buf.Bytes(), seen):
			seen, seenAt, haveSeen = buf.Bytes(), time.Now(), true
		case time.Since(seenAt) > c.opts.StaleLock:
			c.log.WarnContext(ctx, "image lock: breaking a stale lock", "lock", lp.String(), "owner", string(seen), "unchanged_for", time.Since(seenAt).String())
			if err := c.files.Delete(ctx, lp); err != nil && !errors.Is(err, esxi.ErrNotFound) {
				return nil, true, fmt.Errorf("break stale image lock %s: %w", lp, err)
			}
			haveSeen = false
			continue
		}
		if time.Since(start) > c.opts.LockTimeout {
			return nil, true, fmt.Errorf("%w: %s held by %q for more than %s", ErrLockTimeout, lp, string(seen), c.opts.LockTimeout)
		}
		if !loggedWait {
			c.log.InfoContext(ctx, "image lock: waiting for another agent", "lock", lp.String(), "owner", string(seen))
			loggedWait = true
		}
		t := time.NewTimer(c.opts.LockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, true, context.Cause(ctx)
		case <-t.C:
		}
	}
}

// holdLock starts the heartbeat and returns the release function.
func (c *Cache) holdLock(ctx context.Context, lp, owner esxi.DatastorePath) func() {
	host, _ := os.Hostname()
	beat := func(n int) {
		b := fmt.Appendf(nil, "host=%s pid=%d beat=%d time=%s\n", host, os.Getpid(), n, time.Now().UTC().Format(time.RFC3339Nano))
		if err := c.files.Upload(ctx, owner, bytes.NewReader(b), int64(len(b))); err != nil && ctx.Err() == nil {
			c.log.WarnContext(ctx, "image lock: heartbeat failed", "lock", lp.String(), "err", err)
		}
	}
	// No beat right away: a waiter takes a missing owner file as one
	// more state to watch, and the first beat comes well before StaleLock.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(max(c.opts.StaleLock/4, 10*time.Millisecond))
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				beat(n)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			c.cleanup(ctx, lp)
		})
	}
}
