package image

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/esxi-hva/esxi-hva/esxi"
)

// MaxDescriptorSize bounds a descriptor: anything bigger is not a text
// descriptor (real ones are well under 1 KiB).
const MaxDescriptorSize = 64 << 10

// SectorSize is the unit of an extent's length.
const SectorSize = 512

// NoParentCID is the parentCID of a disk without a parent.
const NoParentCID = "ffffffff"

// maxSectors bounds an extent to 64 TiB (ESXi's limit is 62 TB).
const maxSectors = 64 << 40 / SectorSize

// Extent is the descriptor's single extent line:
// RW <sectors> VMFS|FLAT "<file>" [offset].
type Extent struct {
	Access  string // "RW"
	Sectors int64
	Type    string // "VMFS" or "FLAT"
	File    string // the flat's file name, in the descriptor's folder
	Offset  int64  // FLAT extents only; must be 0
}

// Descriptor is a parsed VMDK text descriptor of a flat disk.
type Descriptor struct {
	Version    int
	Encoding   string // "" when absent
	CID        string
	ParentCID  string
	CreateType string // "vmfs" or "monolithicFlat"
	Extent     Extent
	// DDB holds the ddb.* keys with their unquoted values.
	DDB map[string]string

	lines  []string // the text, for Rename
	extent int      // index of the extent line in lines
}

// Size is the flat's size in bytes: sectors x 512.
func (d *Descriptor) Size() int64 { return d.Extent.Sectors * SectorSize }

// ParseDescriptor parses and validates a descriptor: at most
// MaxDescriptorSize bytes of UTF-8 text; version; CID; parentCID
// "ffffffff" (a delta disk with a parent is refused); createType "vmfs" or
// "monolithicFlat"; exactly one extent "RW <sectors> VMFS|FLAT "<file>""
// naming a file in the same folder; the ddb.* keys. Errors are
// *DescriptorError wrapping ErrInvalidDescriptor or ErrUnsupportedDisk.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	if len(b) > MaxDescriptorSize {
		return nil, &DescriptorError{Msg: fmt.Sprintf("%d bytes is more than a text descriptor's limit of %d", len(b), MaxDescriptorSize), Err: ErrInvalidDescriptor}
	}
	if !utf8.Valid(b) {
		return nil, &DescriptorError{Msg: "not UTF-8 text", Err: ErrInvalidDescriptor}
	}
	text := strings.TrimPrefix(string(b), "\ufeff")
	d := &Descriptor{DDB: map[string]string{}, extent: -1, Version: -1}
	d.lines = strings.Split(text, "\n")
	seen := map[string]int{}
	for i, raw := range d.lines {
		no := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return nil, &DescriptorError{Line: no, Msg: "control character in a text descriptor", Err: ErrInvalidDescriptor}
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if isExtentLine(line) {
			if d.extent >= 0 {
				return nil, &DescriptorError{Line: no, Msg: fmt.Sprintf("a second extent (the first is on line %d); only single-extent flat disks are supported", d.extent+1), Err: ErrUnsupportedDisk}
			}
			ext, err := parseExtent(line)
			if err != nil {
				err.Line = no
				return nil, err
			}
			d.Extent, d.extent = ext, i
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, &DescriptorError{Line: no, Msg: fmt.Sprintf("%q is neither key=value nor an extent", clip(line)), Err: ErrInvalidDescriptor}
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t\"") {
			return nil, &DescriptorError{Line: no, Msg: fmt.Sprintf("bad key %q", clip(key)), Err: ErrInvalidDescriptor}
		}
		value, err := unquote(strings.TrimSpace(value))
		if err != nil {
			return nil, &DescriptorError{Line: no, Msg: fmt.Sprintf("value of %s: %v", clip(key), err), Err: ErrInvalidDescriptor}
		}
		if prev, dup := seen[key]; dup {
			return nil, &DescriptorError{Line: no, Msg: fmt.Sprintf("%s repeats line %d", clip(key), prev), Err: ErrInvalidDescriptor}
		}
		seen[key] = no
		if err := d.set(key, value); err != nil {
			err.Line = no
			return nil, err
		}
	}
	if err := d.check(seen); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Descriptor) set(key, value string) *DescriptorError {
	switch {
	case key == "version":
		v, err := strconv.Atoi(value)
		if err != nil || v < 1 || v > 3 {
			return &DescriptorError{Msg: fmt.Sprintf("version %q is not 1, 2 or 3", clip(value)), Err: ErrInvalidDescriptor}
		}
		d.Version = v
	case key == "encoding":
		d.Encoding = value
	case key == "CID":
		if !isHex(value, 8) {
			return &DescriptorError{Msg: fmt.Sprintf("CID %q is not 8 hex digits", clip(value)), Err: ErrInvalidDescriptor}
		}
		d.CID = strings.ToLower(value)
	case key == "parentCID":
		if !isHex(value, 8) {
			return &DescriptorError{Msg: fmt.Sprintf("parentCID %q is not 8 hex digits", clip(value)), Err: ErrInvalidDescriptor}
		}
		d.ParentCID = strings.ToLower(value)
		if d.ParentCID != NoParentCID {
			return &DescriptorError{Msg: fmt.Sprintf("parentCID %s: a delta disk with a parent is not supported; deploy a flattened image", value), Err: ErrUnsupportedDisk}
		}
	case key == "parentFileNameHint":
		return &DescriptorError{Msg: fmt.Sprintf("parentFileNameHint %q: a delta disk with a parent is not supported; deploy a flattened image", clip(value)), Err: ErrUnsupportedDisk}
	case key == "createType":
		switch value {
		case "vmfs", "monolithicFlat":
			d.CreateType = value
		default:
			return &DescriptorError{Msg: fmt.Sprintf("createType %q is not supported (only \"vmfs\" and \"monolithicFlat\" flat disks)", clip(value)), Err: ErrUnsupportedDisk}
		}
	case strings.HasPrefix(key, "ddb."):
		d.DDB[key] = value
	}
	return nil
}

func (d *Descriptor) check(seen map[string]int) error {
	for _, k := range []string{"version", "CID", "parentCID", "createType"} {
		if _, ok := seen[k]; !ok {
			return &DescriptorError{Msg: k + " is missing", Err: ErrInvalidDescriptor}
		}
	}
	if d.extent < 0 {
		return &DescriptorError{Msg: "no extent line (RW <sectors> VMFS \"<file>\")", Err: ErrInvalidDescriptor}
	}
	want := map[string]string{"vmfs": "VMFS", "monolithicFlat": "FLAT"}[d.CreateType]
	if d.Extent.Type != want {
		return &DescriptorError{Line: d.extent + 1, Msg: fmt.Sprintf("extent type %s does not go with createType %q (want %s)", d.Extent.Type, d.CreateType, want), Err: ErrUnsupportedDisk}
	}
	return nil
}

func isExtentLine(line string) bool {
	for _, a := range []string{"RW", "RDONLY", "NOACCESS"} {
		if strings.HasPrefix(line, a) && len(line) > len(a) && (line[len(a)] == ' ' || line[len(a)] == '\t') {
			return true
		}
	}
	return false
}

func parseExtent(line string) (Extent, *DescriptorError) {
	bad := func(format string, args ...any) (Extent, *DescriptorError) {
		return Extent{}, &DescriptorError{Msg: "extent: " + fmt.Sprintf(format, args...), Err: ErrInvalidDescriptor}
	}
	q1 := strings.IndexByte(line, '"')
	q2 := strings.LastIndexByte(line, '"')
	if q1 < 0 || q2 <= q1 {
		return bad("%q has no quoted file name", clip(line))
	}
	head := strings.Fields(line[:q1])
	tail := strings.Fields(line[q2+1:])
	if len(head) != 3 {
		return bad("%q is not <access> <sectors> <type> \"<file>\"", clip(line))
	}
	e := Extent{Access: head[0], Type: head[2], File: line[q1+1 : q2]}
	if e.Access != "RW" {
		return Extent{}, &DescriptorError{Msg: fmt.Sprintf("extent access %s: only RW extents are supported", e.Access), Err: ErrUnsupportedDisk}
	}
	n, err := strconv.ParseInt(head[1], 10, 64)
	if err != nil || n <= 0 {
		return bad("sector count %q is not a positive number", clip(head[1]))
	}
	if n > maxSectors {
		return bad("%d sectors is more than 64 TiB", n)
	}
	e.Sectors = n
	switch e.Type {
	case "VMFS", "FLAT":
	default:
		return Extent{}, &DescriptorError{Msg: fmt.Sprintf("extent type %q is not supported (only VMFS and FLAT)", clip(e.Type)), Err: ErrUnsupportedDisk}
	}
	if err := esxi.ValidateName(e.File); err != nil || strings.Contains(e.File, "\"") {
		return bad("file name %q must be a plain name in the descriptor's folder", clip(e.File))
	}
	switch len(tail) {
	case 0:
	case 1:
		off, err := strconv.ParseInt(tail[0], 10, 64)
		if err != nil || off < 0 {
			return bad("offset %q is not a number", clip(tail[0]))
		}
		if off != 0 {
			return Extent{}, &DescriptorError{Msg: fmt.Sprintf("extent offset %d: only extents at offset 0 are supported", off), Err: ErrUnsupportedDisk}
		}
		e.Offset = off
	default:
		return bad("unexpected %q after the file name", clip(strings.Join(tail, " ")))
	}
	return e, nil
}

// AsVMFS returns a copy of the descriptor for a VMFS datastore: a
// monolithicFlat descriptor (from VMware Workstation or qemu-img) becomes
// createType "vmfs" with a VMFS extent, as vmkfstools would write it; the
// flat's bytes are the same. A vmfs descriptor is returned as it is.
func (d *Descriptor) AsVMFS() *Descriptor {
	if d.CreateType == "vmfs" {
		return d
	}
	c := *d
	c.lines = append([]string(nil), d.lines...)
	c.DDB = make(map[string]string, len(d.DDB))
	for k, v := range d.DDB {
		c.DDB[k] = v
	}
	for i, line := range c.lines {
		key, _, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(key) == "createType" {
			cr := ""
			if strings.HasSuffix(line, "\r") {
				cr = "\r"
			}
			c.lines[i] = `createType="vmfs"` + cr
		}
	}
	c.CreateType = "vmfs"
	c.Extent.Type = "VMFS"
	c.Extent.Offset = 0
	return &c
}

// Rename returns the descriptor's text with the extent naming flatName
// instead (the pair is stored under a new name). Every other line is kept as
// it was.
func (d *Descriptor) Rename(flatName string) []byte {
	var b bytes.Buffer
	for i, line := range d.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == d.extent {
			e := d.Extent
			fmt.Fprintf(&b, "%s %d %s \"%s\"", e.Access, e.Sectors, e.Type, flatName)
			if e.Type == "FLAT" {
				fmt.Fprintf(&b, " %d", e.Offset)
			}
			if strings.HasSuffix(line, "\r") {
				b.WriteByte('\r')
			}
			continue
		}
		b.WriteString(line)
	}
	return b.Bytes()
}

func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, "\"") {
		if strings.Contains(v, "\"") {
			return "", fmt.Errorf("stray quote in %q", clip(v))
		}
		return v, nil
	}
	if len(v) < 2 || !strings.HasSuffix(v, "\"") || strings.Contains(v[1:len(v)-1], "\"") {
		return "", fmt.Errorf("unterminated quote in %q", clip(v))
	}
	return v[1 : len(v)-1], nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
