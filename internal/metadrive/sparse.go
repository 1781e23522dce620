package metadrive

import (
	"io"
)

// extent is a run of written bytes at an offset of a sparse image.
type extent struct {
	off  int64
	data []byte
}

// sparse is an image of size bytes that is zero except for its extents,
// which are sorted by offset and do not overlap. Extents may share their
// data (the two FAT copies, the image inside the CD).
type sparse struct {
	size    int64
	extents []extent
}

// add appends an extent; offsets must grow.
func (s *sparse) add(off int64, data []byte) {
	if len(data) > 0 {
		s.extents = append(s.extents, extent{off: off, data: data})
	}
}

// shifted returns the extents of s moved by delta bytes, sharing their data.
func (s *sparse) shifted(delta int64) []extent {
	out := make([]extent, len(s.extents))
	for i, e := range s.extents {
		out[i] = extent{off: e.off + delta, data: e.data}
	}
	return out
}

// bytes returns the whole image as one slice.
func (s *sparse) bytes() []byte {
	b := make([]byte, s.size)
	for _, e := range s.extents {
		copy(b[e.off:], e.data)
	}
	return b
}

// zeros is written for the gaps between extents.
var zeros [64 << 10]byte

// writeTo writes the whole image to w.
func (s *sparse) writeTo(w io.Writer) (int64, error) {
	var n int64
	pos := int64(0)
	put := func(b []byte) error {
		m, err := w.Write(b)
		n += int64(m)
		if err == nil && m != len(b) {
			err = io.ErrShortWrite
		}
		return err
	}
	gap := func(to int64) error {
		for pos < to {
			k := min(to-pos, int64(len(zeros)))
			if err := put(zeros[:k]); err != nil {
				return err
			}
			pos += k
		}
		return nil
	}
	for _, e := range s.extents {
		if err := gap(e.off); err != nil {
			return n, err
		}
		if err := put(e.data); err != nil {
			return n, err
		}
		pos += int64(len(e.data))
	}
	return n, gap(s.size)
}

// sparseReader reads a sparse image from the start.
type sparseReader struct {
	s   *sparse
	off int64
	i   int // first extent that ends after off
}

func (r *sparseReader) Read(p []byte) (int, error) {
	if r.off >= r.s.size {
		return 0, io.EOF
	}
	ext := r.s.extents
	for r.i < len(ext) && ext[r.i].off+int64(len(ext[r.i].data)) <= r.off {
		r.i++
	}
	var n int
	if r.i < len(ext) && ext[r.i].off <= r.off {
		n = copy(p, ext[r.i].data[r.off-ext[r.i].off:])
	} else {
		next := r.s.size
		if r.i < len(ext) {
			next = ext[r.i].off
		}
		n = int(min(int64(len(p)), next-r.off))
		clear(p[:n])
	}
	r.off += int64(n)
	return n, nil
}

// WriteTo lets io.Copy stream the rest of the image without a buffer.
func (r *sparseReader) WriteTo(w io.Writer) (int64, error) {
	if r.off == 0 {
		n, err := r.s.writeTo(w)
		r.off = n
		return n, err
	}
	return io.Copy(w, struct{ io.Reader }{r})
}
