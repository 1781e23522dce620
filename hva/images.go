package hva

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/image"
)

// ImageStore deploys a verified image pair as an instance's boot disk.
// *image.Cache implements it: md5 verified while streaming, kept on the
// datastore keyed by md5, one download per image.
type ImageStore interface {
	// Deploy makes dst (the descriptor "[ds] <id>/<id>.vmdk") and its
	// flat a private copy of the image src names. When dst or its flat
	// already exists it returns an error wrapping esxi.ErrExists and
	// fetches nothing.
	Deploy(ctx context.Context, src image.Source, dst esxi.DatastorePath, progress image.ProgressFunc) error
}

// BaseStore is an ImageStore that lends its cached images as the bases
// of linked clones. *image.Cache implements it. When Options.Images is
// one and Options.FullCopies is false, a launch makes the boot disk a
// delta child of the cached image instead of a full copy.
type BaseStore interface {
	ImageStore
	// Acquire makes sure the image is cached (fetching and verifying it
	// once) and keeps it from being pruned until release is called; the
	// caller releases it once the VM whose disk has the base as parent
	// exists, or its creation failed.
	Acquire(ctx context.Context, src image.Source, progress image.ProgressFunc) (e image.Entry, release func(), err error)
}

// NewImageStore returns the default ImageStore: an image cache in
// "[<datastore>] .esxi-hva/images" of hv.
func NewImageStore(hv esxi.Files, log *slog.Logger) ImageStore {
	return image.NewCache(hv, image.CacheOptions{Logger: log})
}

// imageSource is where the instance's image pair comes from.
func imageSource(inst *Instance) (image.Source, error) {
	img := inst.Image
	if img.URI == "" {
		return image.Source{}, fmt.Errorf("%w: image %s of %s has no URI (image.backup_object.uri or image.source.uri)", ErrBadInstance, img.ID, inst.ID)
	}
	if img.MD5 == "" {
		return image.Source{}, fmt.Errorf("%w: image %s of %s has no md5 (image.backup_object.checksum or image.md5sum): refusing an unverifiable image", ErrBadInstance, img.ID, inst.ID)
	}
	return image.Source{URI: img.URI, MD5: img.MD5, Size: img.Size}, nil
}

// progressLogger logs transfer progress at most every 5 s, and at the
// end, and hands every report to Options.TransferProgress.
func (h *Handler) progressLogger(ctx context.Context, log *slog.Logger) image.ProgressFunc {
	var (
		mu   sync.Mutex
		last time.Time
	)
	job := jobOf(ctx)
	return func(p image.Progress) {
		if f := h.opts.TransferProgress; f != nil {
			f(job.job, job.instanceID, p)
		}
		mu.Lock()
		defer mu.Unlock()
		done := p.Total > 0 && p.Done >= p.Total
		if !done && time.Since(last) < 5*time.Second {
			return
		}
		last = time.Now()
		attrs := []any{"bytes", p.Done, "total", p.Total, "mb_per_s", fmt.Sprintf("%.1f", p.Rate/(1<<20))}
		if p.Total > 0 {
			attrs = append(attrs, "percent", fmt.Sprintf("%.0f", 100*float64(p.Done)/float64(p.Total)))
		}
		log.Info("image transfer", attrs...)
	}
}
