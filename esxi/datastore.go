package esxi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// MakeDirectory implements Files. An existing folder is ErrExists.
func (c *Client) MakeDirectory(ctx context.Context, p DatastorePath) error {
	const op = "make directory"
	p, err := c.checkPath(p)
	if err != nil {
		return &OpError{Op: op, Object: p.String(), Err: err}
	}
	if p.Path == "" {
		return errorf(op, p.String(), ErrExists, "the datastore's root exists")
	}
	// The folder itself is made without createParentDirectories so that
	// an existing one is reported (ESXi and vcsim both say nothing when
	// asked to create parents of something that exists).
	fm := object.NewFileManager(c.vim)
	err = fm.MakeDirectory(ctx, p.String(), c.dc, false)
	if err != nil && classify(err) == ErrNotFound {
		if parent := p.Dir(); parent.Path != "" {
			if perr := fm.MakeDirectory(ctx, parent.String(), c.dc, true); perr != nil {
				return wrapErr(op, p.String(), perr)
			}
			err = fm.MakeDirectory(ctx, p.String(), c.dc, false)
		}
	}
	return wrapErr(op, p.String(), err)
}

// httpErr classifies the bare status errors of govmomi's transfers.
func httpErr(err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, fmt.Sprint(http.StatusNotFound)) || strings.Contains(msg, "404 Not Found") {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Stat implements Files.
func (c *Client) Stat(ctx context.Context, p DatastorePath) (FileInfo, error) {
	const op = "stat"
	p, err := c.checkPath(p)
	if err != nil {
		return FileInfo{}, &OpError{Op: op, Object: p.String(), Err: err}
	}
	if p.Path == "" {
		return FileInfo{Path: p, IsDir: true}, nil
	}
	fi, err := c.ds.Stat(ctx, p.Path)
	if err != nil {
		var nf1 object.DatastoreNoSuchFileError
		var nf2 object.DatastoreNoSuchDirectoryError
		if errors.As(err, &nf1) || errors.As(err, &nf2) {
			return FileInfo{}, errorf(op, p.String(), ErrNotFound, "no such file or folder")
		}
		return FileInfo{}, wrapErr(op, p.String(), err)
	}
	return fileInfo(p.Dir(), fi), nil
}

func fileInfo(dir DatastorePath, fi types.BaseFileInfo) FileInfo {
	base := fi.GetFileInfo()
	out := FileInfo{Path: DatastorePath{Datastore: dir.Datastore, Path: joinPath(dir.Path, base.Path)}, Size: base.FileSize}
	if base.Modification != nil {
		out.ModTime = *base.Modification
	}
	if _, ok := fi.(*types.FolderFileInfo); ok {
		out.IsDir = true
	}
	return out
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// ListDir implements Files.
func (c *Client) ListDir(ctx context.Context, p DatastorePath) ([]FileInfo, error) {
	const op = "list directory"
	p, err := c.checkPath(p)
	if err != nil {
		return nil, &OpError{Op: op, Object: p.String(), Err: err}
	}
	spec := types.HostDatastoreBrowserSearchSpec{
		MatchPattern: []string{"*"},
		Details:      &types.FileQueryFlags{FileType: true, FileSize: true, Modification: true},
	}
	task, err := c.browser.SearchDatastore(ctx, p.String(), &spec)
	if err != nil {
		return nil, wrapErr(op, p.String(), err)
	}
	res, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, wrapErr(op, p.String(), err)
	}
	r, ok := res.Result.(types.HostDatastoreBrowserSearchResults)
	if !ok {
		return nil, errorf(op, p.String(), ErrNotFound, "no listing returned")
	}
	out := make([]FileInfo, 0, len(r.File))
	for _, f := range r.File {
		out = append(out, fileInfo(p, f))
	}
	return out, nil
}

// CopyDisk implements Files.
func (c *Client) CopyDisk(ctx context.Context, src, dst DatastorePath) error {
	const op = "copy disk"
	src, dst, err := c.checkPair(src, dst)
	if err != nil {
		return &OpError{Op: op, Object: src.String(), Err: err}
	}
	m := object.NewVirtualDiskManager(c.vim)
	return c.runTask(ctx, op, src.String(), func() (*object.Task, error) {
		return m.CopyVirtualDisk(ctx, src.String(), c.dc, dst.String(), c.dc, thinCopy(), false)
	})
}

// thinCopy is the destination of CopyDisk: without one, ESXi writes the
// copy preallocated (every block zeroed up front) for a BusLogic adapter,
// which makes each launch cost the image's full size in time and space.
// A thin copy allocates only what is written; the adapter type is only
// the descriptor's hint, the VM's controller is what the guest sees.
func thinCopy() *types.VirtualDiskSpec {
	return &types.VirtualDiskSpec{
		DiskType:    string(types.VirtualDiskTypeThin),
		AdapterType: string(types.VirtualDiskAdapterTypeLsiLogic),
	}
}

// MoveDisk implements Files.
func (c *Client) MoveDisk(ctx context.Context, src, dst DatastorePath) error {
	const op = "move disk"
	src, dst, err := c.checkPair(src, dst)
	if err != nil {
		return &OpError{Op: op, Object: src.String(), Err: err}
	}
	m := object.NewVirtualDiskManager(c.vim)
	return c.runTask(ctx, op, src.String(), func() (*object.Task, error) {
		return m.MoveVirtualDisk(ctx, src.String(), c.dc, dst.String(), c.dc, false)
	})
}

// MoveFile implements Files.
func (c *Client) MoveFile(ctx context.Context, src, dst DatastorePath) error {
	const op = "move file"
	src, dst, err := c.checkPair(src, dst)
	if err != nil {
		return &OpError{Op: op, Object: src.String(), Err: err}
	}
	fm := object.NewFileManager(c.vim)
	return c.runTask(ctx, op, src.String(), func() (*object.Task, error) {
		return fm.MoveDatastoreFile(ctx, src.String(), c.dc, dst.String(), c.dc, false)
	})
}

// Delete implements Files.
func (c *Client) Delete(ctx context.Context, p DatastorePath) error {
	const op = "delete"
	p, err := c.checkPath(p)
	if err != nil {
		return &OpError{Op: op, Object: p.String(), Err: err}
	}
	if p.Path == "" {
		return &OpError{Op: op, Object: p.String(), Err: fmt.Errorf("%w: refusing to delete the datastore's root", ErrBadName)}
	}
	fm := object.NewFileManager(c.vim)
	return c.runTask(ctx, op, p.String(), func() (*object.Task, error) {
		return fm.DeleteDatastoreFile(ctx, p.String(), c.dc)
	})
}

func (c *Client) checkPair(src, dst DatastorePath) (DatastorePath, DatastorePath, error) {
	s, err := c.checkPath(src)
	if err != nil {
		return src, dst, err
	}
	d, err := c.checkPath(dst)
	if err != nil {
		return s, dst, err
	}
	if s.Path == "" || d.Path == "" {
		return s, d, fmt.Errorf("%w: the datastore's root cannot be copied or moved", ErrBadName)
	}
	return s, d, nil
}
