package image

// CacheObserver is told what a Cache does, for metrics (the hva/hvametrics
// adapter maps it to Prometheus). Its methods run on the cache's path:
// they must be safe for concurrent use and must not block.
type CacheObserver interface {
	// Lookup reports whether Ensure (and so Deploy) found the image
	// cached (hit) or had to fetch it, or wait for another fetch of it
	// (miss).
	Lookup(md5 string, hit bool)
	// Transferred reports one download of a flat: the bytes read from
	// its source and the bytes written to the datastore (0 when the
	// upload failed; the temporary copy is then deleted).
	Transferred(md5 string, fetched, uploaded int64)
}

// nopObserver is the default CacheObserver.
type nopObserver struct{}

func (nopObserver) Lookup(string, bool)              {}
func (nopObserver) Transferred(string, int64, int64) {}
