// Package image fetches VMDK image pairs (a text descriptor "name.vmdk" and
// its data "name-flat.vmdk") from http, https or file sources onto an ESXi
// datastore, verifying the flat's md5 in the same single streaming pass that
// uploads it, keeps verified pairs in a cache on the datastore keyed by md5,
// and deploys a private copy of a cached pair for each instance.
//
// # Pairs
//
// Wakame registers the flat's URI; the descriptor's URI is derived by
// dropping the LAST "-flat" of the file name (DescriptorURI), never one in
// the host or a folder. Given a descriptor's URI instead (a file name
// without "-flat"), the flat is the file its extent names, in the same
// folder. The descriptor (at most 64 KiB of text) is fetched and validated
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
// through a small ring of reused buffers (see pipeline.go): the md5 never
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
// 5xx, no data for FetchOptions.StallTimeout) are retried with exponential
// backoff, at most FetchOptions.Retries times per transfer. A retry RESUMES
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
// size, creation and last use). Deploy copies a cached pair into the
// instance's folder with CopyDisk and rewrites the copy's descriptor for
// its new name: a VM never owns the cached disk (ESXi's Destroy deletes the
// disks attached to a VM). A cached md5 fetches nothing from the source.
// Concurrent requests for one md5 in a process share one download; agents
// sharing a datastore take the lock folder "<cache>/.lock-<md5>" (see
// lock.go for the heartbeat and how stale locks are broken). Prune drops
// entries by age and byte budget, never one in use by this Cache.
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
