package scrub

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/http"
	"path"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Payloads the operator opens before scrubbing (binaryData, and base64 in data): UTF-8 text,
// UTF-16 text with a byte-order mark, single-byte text (Latin-1, Windows-1252: read byte for
// rune, so every byte comes back as it was), and gzip, tar and zip archives, nested up to
// maxPayloadDepth. What is scrubbed inside is written back in the payload's own encoding and
// format; a payload whose scrubbed content is unchanged comes back byte-identical. An archive
// that cannot be opened within the bounds below, or not rewritten safely, is replaced whole by an
// empty archive of its kind, and that is reported as uncertain.

const (
	// maxPayloadDepth bounds archives in archives (a .gz in a .tar.gz is depth 2).
	maxPayloadDepth = 3
	// maxExpanded bounds the bytes an archive expands to, all members together: a ConfigMap holds
	// at most 1 MiB, and a compression bomb must not cost the operator its memory.
	maxExpanded = 16 << 20
	// maxMembers bounds the members of a tar or zip archive.
	maxMembers = 1024
)

var errTooLarge = errors.New("expands beyond the bound")

// payloadScrubber opens payloads for one value.
type payloadScrubber struct {
	in        PlainInput
	key       string   // the ConfigMap key, whose name tells the format
	scope     []string // the Keyring scope of the value
	n         int32    // replacements made
	uncertain []Uncertain
	expanded  int // bytes expanded so far, against maxExpanded
}

// bytes scrubs a payload found under name (a key, or a member's path inside an archive): it
// returns the new bytes, or b itself when nothing changed.
func (p *payloadScrubber) bytes(b []byte, name string, depth int) []byte {
	switch kind := payloadKind(b); {
	case kind == "text":
		return p.text(b, name, utf8Text)
	case kind == "utf16":
		return p.text(b, name, utf16Text)
	case kind == "utf16 or latin1":
		// Both readings are text and nothing tells which is meant: scrub under both, so that
		// neither reading of what reaches the copy holds a credential. What one reading finds in
		// the other's text (CJK read as Latin-1, or Latin-1 as CJK) is nothing: no key, no
		// separator, no token of a known shape.
		return p.text(p.text(b, name, utf16Text), name, latin1Text)
	case depth >= maxPayloadDepth && kind != "binary" && kind != "latin1":
		return p.unreadable(b, name, kind, "nested deeper than the bound")
	case kind == "gzip":
		return p.gzip(b, name, depth)
	case kind == "tar":
		return p.tar(b, name, depth)
	case kind == "zip":
		return p.zip(b, name, depth)
	case kind == "latin1":
		return p.text(b, name, latin1Text)
	}
	return p.binary(b, name)
}

// payloadKind tells what a payload is by its content.
func payloadKind(b []byte) string {
	marked := utf16Marked(b)
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return "gzip"
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		return "zip"
	case len(b) >= 262 && string(b[257:262]) == "ustar":
		return "tar"
	case marked && manyNULHighBytes(b):
		return "utf16"
	case isText(b):
		return "text"
	}
	switch single := singleByteText(b); {
	case single && marked:
		// The mark and a few NUL bytes, and otherwise no more control bytes than single-byte
		// text holds: UTF-16 with little ASCII in a script whose high and low bytes are seldom
		// control bytes, or single-byte text that starts with þÿ or ÿþ and has a stray NUL.
		return "utf16 or latin1"
	case single:
		return "latin1"
	case marked:
		// Few ASCII characters, and more control bytes than single-byte text holds: UTF-16 text
		// in other scripts (the high byte of Cyrillic, Greek and most CJK is one).
		return "utf16"
	}
	return "binary"
}

// manyNULHighBytes tells, of a marked payload (utf16Marked), that it can only be UTF-16: more
// of its code units have a NUL high byte (line breaks, blanks, digits, ASCII and Latin-1
// letters) than single-byte text may hold NUL bytes (one byte in twenty), so that it cannot be
// single-byte text. Text in another encoding that merely starts with the mark's two bytes (þÿ in
// Latin-1) would, read as UTF-16, be a line of unrelated characters the scrubber finds nothing
// in; read as what it is, what it holds is scrubbed.
func manyNULHighBytes(b []byte) bool {
	high := 1 // the offset of a code unit's high byte: little-endian after FF FE
	if b[0] == 0xfe {
		high = 0
	}
	nul := 0
	for i := 2; i+1 < len(b); i += 2 {
		if b[i+high] == 0 {
			nul++
		}
	}
	return !fewInTwenty(nul, len(b))
}

// utf16Marked: a byte-order mark, an even length and a NUL byte after the mark. Every line
// break, blank, digit and ASCII letter of UTF-16 text has a NUL byte, so a document has some.
func utf16Marked(b []byte) bool {
	bom := len(b) >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))
	return bom && len(b)%2 == 0 && bytes.IndexByte(b[2:], 0) >= 0
}

// singleByteText reports text in a single-byte encoding (Latin-1, Windows-1252, KOI8-R, whose
// letters may all lie above 0x7F): at most one byte in twenty a control byte (NUL included)
// other than blanks and line ends. A stray one in a text file is no reason to leave the file
// unread: unread, it is copied as it is, credentials and all. Binary data has one in eight.
// Read byte for rune, every byte comes back as it was.
func singleByteText(b []byte) bool {
	control := 0
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f {
			control++
		}
	}
	return len(b) > 0 && fewInTwenty(control, len(b))
}

// fewInTwenty is the share of odd bytes text may hold: at most one in twenty.
func fewInTwenty(odd, total int) bool { return odd*20 <= total }

// textCodec decodes a text payload to a Go string and encodes it back; ok is false when the
// string holds what the encoding cannot write.
type textCodec struct {
	decode func(b []byte) string
	encode func(s string, like []byte) ([]byte, bool)
}

var (
	utf8Text = textCodec{
		decode: func(b []byte) string { return string(b) },
		encode: func(s string, _ []byte) ([]byte, bool) { return []byte(s), true },
	}
	latin1Text = textCodec{
		decode: func(b []byte) string {
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
			}
			return string(r)
		},
		encode: func(s string, _ []byte) ([]byte, bool) {
			out := make([]byte, 0, len(s))
			for _, r := range s {
				if r > 0xff {
					return nil, false
				}
				out = append(out, byte(r))
			}
			return out, true
		},
	}
	utf16Text = textCodec{decode: decodeUTF16, encode: encodeUTF16}
)

func utf16Order(b []byte) binary.AppendByteOrder {
	if b[0] == 0xfe {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func decodeUTF16(b []byte) string {
	order := utf16Order(b).(binary.ByteOrder)
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		u = append(u, order.Uint16(b[i:]))
	}
	return string(utf16.Decode(u))
}

func encodeUTF16(s string, like []byte) ([]byte, bool) {
	order := utf16Order(like)
	out := append([]byte(nil), like[:2]...)
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out, true // like has an even length: utf16Marked admits no other
}

// text scrubs a text payload as a ConfigMap value under name, in its own encoding.
func (p *payloadScrubber) text(b []byte, name string, c textCodec) []byte {
	s := c.decode(b)
	scope := p.scope
	if name != p.key {
		scope = append(scope[:len(scope):len(scope)], "payload", name)
	}
	out, n, unsure := p.in.plainValue(s, false, nil, memberName(name), scope...)
	p.note(name, n, unsure)
	if out == s {
		return b
	}
	enc, ok := c.encode(out, b)
	if !ok || !utf8.ValidString(out) {
		return p.unreadable(b, name, "text", "the scrubbed text cannot be written in the file's encoding")
	}
	return enc
}

// binary keeps a payload the scrubber cannot read; Strict mode replaces it unless its content
// type is a known medium (images, fonts, audio, video).
func (p *payloadScrubber) binary(b []byte, name string) []byte {
	if len(b) == 0 {
		return b
	}
	media := http.DetectContentType(b) != "application/octet-stream"
	if p.in.Mode == PlainStrict && !media {
		p.n++
		return p.in.Keyring.generate(name, append(p.scope, "binary", name)...)
	}
	if !media {
		p.uncertain = append(p.uncertain, Uncertain{Path: name, Decision: UncertainKept, Reason: ReasonBinaryUnread})
	}
	return b
}

// unreadable replaces a payload that cannot be opened or rewritten safely by an empty one of
// its kind (an empty archive still opens), and reports it.
func (p *payloadScrubber) unreadable(b []byte, name, kind, why string) []byte {
	p.n++
	p.uncertain = append(p.uncertain, Uncertain{Path: name, Decision: UncertainReplaced, Reason: ReasonPayloadUnreadable + ": " + kind + ", " + why})
	return emptyPayload(kind)
}

func (p *payloadScrubber) note(name string, n int32, unsure []Uncertain) {
	p.n += n
	for _, u := range unsure {
		u.Path = joinPath(name, u.Path)
		p.uncertain = append(p.uncertain, u)
	}
}

// joinPath names a place inside a member of a payload.
func joinPath(member, inner string) string {
	if inner == "" {
		return member
	}
	return member + ": " + inner
}

// memberName is the name a member's format is guessed from: its base name without a .gz.
func memberName(name string) string {
	return strings.TrimSuffix(path.Base(name), ".gz")
}

// sameBytes reports whether two payloads are equal.
func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }
