package image

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// The pump moves a stream through a ring of buffers in three stages that
// run at the same time: a reader goroutine fills buffers from the source, a
// hasher goroutine adds each to the md5 and passes it on, and the sink (the
// datastore upload, reading the pump as its body) drains them. The md5 thus
// never waits on the network and the network never waits on the md5, as
// long as a buffer is free; and a byte reaches the sink only after it was
// hashed. Memory is ringChunks x chunkSize, whatever the image's size, and
// the buffers are reused across transfers.
const (
	chunkSize  = 256 << 10
	ringChunks = 8
)

// chunkPool keeps buffers between transfers (a channel, not a sync.Pool, so
// that a collection does not empty it).
var chunkPool = make(chan []byte, 4*ringChunks)

func getChunk() []byte {
	select {
	case b := <-chunkPool:
		return b
	default:
		return make([]byte, chunkSize)
	}
}

func putChunk(b []byte) {
	select {
	case chunkPool <- b[:chunkSize]:
	default:
	}
}

type block struct {
	buf []byte
	n   int
}

var errPumpClosed = errors.New("image transfer already finished")

type pump struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	src    io.Reader
	hash   hash.Hash
	meter  *meter
	wg     sync.WaitGroup

	free   chan []byte
	toHash chan block
	toSink chan block
	read   atomic.Int64 // bytes read from src
	srcErr error        // set by the reader before it cancels

	mu     sync.Mutex // serializes Read and finish (a late Read by net/http)
	cur    block
	off    int
	closed bool
}

// startPump starts reading src. The caller reads the hashed bytes from the
// pump and must call finish.
func startPump(ctx context.Context, src io.Reader, m *meter) *pump {
	ctx, cancel := context.WithCancelCause(ctx)
	p := &pump{
		ctx: ctx, cancel: cancel, src: src, hash: md5.New(), meter: m,
		free:   make(chan []byte, ringChunks),
		toHash: make(chan block, ringChunks),
		toSink: make(chan block, ringChunks),
	}
	for range ringChunks {
		p.free <- getChunk()
	}
	p.wg.Add(2)
	go p.reader()
	go p.hasher()
	return p
}

func (p *pump) reader() {
	defer p.wg.Done()
	defer close(p.toHash)
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.ctx.Done():
			return
		}
		n, err := io.ReadFull(p.src, buf)
		if n > 0 {
			p.read.Add(int64(n))
			select {
			case p.toHash <- block{buf, n}:
			case <-p.ctx.Done():
				p.free <- buf
				return
			}
		} else {
			p.free <- buf
		}
		switch {
		case err == nil:
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return
		default:
			p.srcErr = err
			p.cancel(err)
			return
		}
	}
}

func (p *pump) hasher() {
	defer p.wg.Done()
	defer close(p.toSink)
	for b := range p.toHash {
		p.hash.Write(b.buf[:b.n])
		select {
		case p.toSink <- b:
		case <-p.ctx.Done():
			p.free <- b.buf
			return
		}
	}
}

// Read implements io.Reader over the hashed bytes.
func (p *pump) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errPumpClosed
	}
	if p.off == p.cur.n {
		if p.cur.buf != nil {
			p.free <- p.cur.buf
			p.cur = block{}
			p.off = 0
		}
		select {
		case blk, ok := <-p.toSink:
			if !ok {
				if err := context.Cause(p.ctx); err != nil {
					return 0, err
				}
				return 0, io.EOF
			}
			p.cur, p.off = blk, 0
		case <-p.ctx.Done():
			return 0, context.Cause(p.ctx)
		}
	}
	n := copy(b, p.cur.buf[p.off:p.cur.n])
	p.off += n
	p.meter.add(int64(n))
	return n, nil
}

// WriteTo implements io.WriterTo, sparing a copy for sinks that use it.
func (p *pump) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return total, errPumpClosed
		}
		if p.off == p.cur.n {
			if p.cur.buf != nil {
				p.free <- p.cur.buf
				p.cur, p.off = block{}, 0
			}
			var blk block
			var ok bool
			select {
			case blk, ok = <-p.toSink:
			case <-p.ctx.Done():
				p.mu.Unlock()
				return total, context.Cause(p.ctx)
			}
			if !ok {
				err := context.Cause(p.ctx)
				p.mu.Unlock()
				return total, err
			}
			p.cur, p.off = blk, 0
		}
		n, err := w.Write(p.cur.buf[p.off:p.cur.n])
		p.off += n
		total += int64(n)
		p.mu.Unlock()
		p.meter.add(int64(n))
		if err != nil {
			return total, err
		}
	}
}

// abort stops the pump with err (the sink failed).
func (p *pump) abort(err error) { p.cancel(err) }

// finish stops the goroutines, returns the buffers and reports the md5 of
// what was read (valid only when err is nil) and the source's error, if any.
// drained says the sink succeeded: the reader is then left to see the
// source's end by itself (so that bytes beyond the expected size are still
// caught) instead of being cancelled.
func (p *pump) finish(drained bool) (sum string, n int64, err error) {
	if !drained {
		p.cancel(errPumpClosed)
	}
	p.wg.Wait()
	p.cancel(errPumpClosed)
	p.mu.Lock()
	p.closed = true
	if p.cur.buf != nil {
		putChunk(p.cur.buf)
		p.cur = block{}
	}
	p.mu.Unlock()
	for b := range p.toHash {
		putChunk(b.buf)
	}
	for b := range p.toSink {
		putChunk(b.buf)
	}
	for len(p.free) > 0 {
		putChunk(<-p.free)
	}
	return hex.EncodeToString(p.hash.Sum(nil)), p.read.Load(), p.srcErr
}
