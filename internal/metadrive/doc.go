// Package metadrive builds, in memory and in pure Go, the metadata CD that a
// Wakame-vdc guest reads at boot with `/etc/wakame-init metadata-cd`.
//
// The guest mounts the CD labelled META_CD, loop-mounts the file
// metadata.img found on it, mounts the filesystem labelled METADATA from
// that disk image and reads meta-data/... and user-data. The Ruby HVA makes
// this with truncate, parted, kpartx, mkfs.vfat, mount and genisoimage as
// root; this package writes the same structures itself:
//
//   - metadata.img ([BuildImage]): an MBR (msdos) disk image with one primary
//     partition at 1 MiB (LBA 2048), formatted FAT12 or FAT16 as the
//     Microsoft FAT specification's cluster-count rules call for, volume
//     label METADATA, VFAT long file names for every entry plus unique 8.3
//     short names.
//   - the CD ([BuildCD]): an ISO 9660 volume META_CD with Rock Ridge
//     (RRIP_1991A, as `genisoimage -R` makes it) holding metadata.img.
//
// The content is a [Tree]: slash-separated paths mapped to file contents.
// Same tree and same [Options] (in particular the same ModTime) give the
// same bytes. The disk image is kept sparsely (only the written sectors are
// held in memory), and [CD.WriteTo] and [CD.Reader] stream the ISO headers
// followed by the image without assembling the whole CD in memory.
package metadrive
