// Package image fetches VMDK image pairs (a text descriptor "name.vmdk" and
// its data "name-flat.vmdk") from http, https or file sources onto an ESXi
// datastore, verifying the flat's md5 in the same single streaming pass that
// uploads it, keeps verified pairs in a cache on the datastore keyed by md5,
// and lends a cached pair to each instance: as the base of a linked clone
// (Acquire), or as a private thin copy (Deploy).
//
// # Pairs
//
// Wakame registers the flat's URI; the descriptor's URI is derived by
// dropping the LAST "-flat" of the file name (DescriptorURI), never one in
// the host or a folder. A Source.URI whose file name holds "-flat" is taken
// for the flat's; any other for the descriptor's, and the flat is then the
// file its extent names, in the same folder. The descriptor (at most 64 KiB of text) is fetched and validated
// first (ParseDescriptor): a delta disk with a parent, a createType other
// than vmfs or monolithicFlat, several extents, an extent that does not name
// the flat, or a size (sectors x 512) that differs from what the source
// tells (Content-Length, file size, Source.Size) is refused before a byte of
// the flat moves. Any non-2xx answer is a *StatusError naming the URL
// (without credentials or query) and the status: it never becomes image
// data.
//
// # Verified transfer
//
// The flat is read from the source, hashed and uploaded at the same time
// through a small ring of reused buffers (8 x 256 KiB): the md5 never
// waits on the network nor the network on the md5, memory stays at 2 MiB
// whatever the size, and nothing is written to local disk. The upload goes
// to a temporary folder "<cache>/.tmp-<random>/"; only when the md5 matches
// is the descriptor (rewritten for the cache's names) added and the folder
// moved to "<cache>/<md5>/" in one MoveFile. On a mismatch
// (*ChecksumError, ErrChecksumMismatch), a truncated body, a source or
// datastore error or a cancelled context the temporary folder is deleted,
// leaving the datastore's files as they were.
//
// Transient source errors (connection reset, a body cut short, 408, 429,
// 5xx, no data for FetchOptions.StallTimeout) are retried with capped
// exponential backoff and full jitter, at most FetchOptions.Retries times
// per transfer. The stall watchdog covers every transfer both ways: the
// descriptor's and the flat's GET (headers and body), and PutPair's PUTs
// from their first byte to the answer (ErrStalled). A retry RESUMES
// the flat with a Range request (and If-Range, so a changed file is sent
// whole): the bytes already hashed and uploaded stay, the hash state goes
// on, and the single datastore upload never restarts. A server that ignores
// Range answers 200: the bytes already passed are then read and skipped. The
// final md5 comparison vouches for the result either way.
//
// # Cache
//
// Cache keeps each verified pair under "[ds] .esxi-hva/images/<md5>/"
// (<md5>.vmdk, <md5>-flat.vmdk and entry.json recording the source URI,
// size, creation and last use). A monolithicFlat descriptor is stored as
// the equivalent vmfs one (Descriptor.AsVMFS), which is what ESXi runs. Deploy copies a cached pair into the
// instance's folder with CopyDisk and rewrites the copy's descriptor for
// its new name: a VM never owns the cached disk (ESXi's Destroy deletes the
// disks attached to a VM). A cached md5 fetches nothing from the source.
// The rewritten descriptor is uploaded over the copy: ESXi's CopyVirtualDisk
// renames the extent itself, vcsim's copies both files byte for byte.
// Concurrent requests for one md5 in a process share one download, from
// the first caller's source (a caller that gives up leaves it to the
// others; the last one to give up cancels it and waits for its clean-up;
// when the source fails, a caller with a source of its own fetches from
// it); agents
// sharing a datastore take the lock folder "<cache>/.lock-<md5>" (see
// lock.go for the heartbeat and how stale locks are broken). Prune drops
// entries by age and byte budget, never one in use by this Cache (another
// agent's deploy in progress is not known to it: keep MaxAge well above the
// time a copy takes). Failed fetches leave nothing but the cache folder
// itself.
//
// A deploy rewrites entry.json to record the last use by uploading it under
// a name of its own and moving it over the old one, so that a cut upload
// never leaves a torn marker. A marker that is missing beside a flat or
// unreadable (an older agent's in-place write cut short) is repaired: an
// entry folder only appears whole, its flat verified, so a flat of the
// descriptor's size is the image and the marker is written again from the
// pair; an entry without a matching pair is deleted and fetched again.
//
// # Linked clones
//
// As OpenStack Nova's VMware driver does (use_linked_clone), an instance
// can boot from a delta child of the cached disk instead of a copy
// (esxi.ChildDisk): the child is made with the VM in constant time, a first
// launch transfers the image once (into the cache) and copies nothing
// after. Acquire makes sure the image is cached and holds the entry until
// the VM exists. A base must then outlive its children: it is never moved
// or rewritten (only entry.json is), and Prune keeps every entry that some
// VM's disk on the host has as an ancestor. Prune proves it by reading the
// VMs' disk chains (CacheOptions.VMs, by default the esxi.Client itself)
// after marking its candidates, which makes this Cache's launches on them
// wait: a launch that held an entry has its VM by the time it lets go, and
// the chains read after show it. When the VMs cannot be listed Prune drops
// nothing. A linked clone has its base's size (a delta disk cannot grow)
// and its base's datastore.
//
// # Datastore lock
//
// The lock is the folder "<cache>/.lock-<md5>": MakeDirectory is atomic and
// fails with esxi.ErrExists while another agent holds it. The holder
// rewrites "<lock>/owner" (host, pid, a counter) every StaleLock/4 as a
// heartbeat and deletes the folder when done, success or not. A waiter
// polls every LockPoll: when the entry appears it uses it; when the lock
// goes away it takes it; when the owner file's content has not changed for
// StaleLock (the holder died), it deletes the lock and takes it; after
// LockTimeout it fails with ErrLockTimeout. Staleness is judged by content
// seen changing on the waiter's own clock, so the agents' and the host's
// clocks need not agree. Two waiters breaking the same stale lock at once
// may both fetch: the second to finish finds the entry in place (MoveFile
// says it exists), deletes its own copy and uses the first, so the cache
// stays consistent and only bandwidth is lost.
//
// # Capture
//
// Capture and PutPair go the other way: a pair on the datastore is streamed
// to an io.Writer or to HTTP PUT (WebDAV) targets, its md5 computed on the
// way.
//
// Progress reports (ProgressFunc, adaptable to govmomi's progress.Sinker
// with SinkerProgress) give bytes done, total, rate and elapsed time.
package image
