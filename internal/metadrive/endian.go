package metadrive

// Little-, big- and both-endian (ISO 9660) integer fields.

func le16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }

func le32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func be16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

func be32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

func both16(b []byte, v uint16) { le16(b, v); be16(b[2:], v) }
func both32(b []byte, v uint32) { le32(b, v); be32(b[4:], v) }
