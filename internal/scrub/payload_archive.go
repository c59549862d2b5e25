package scrub

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
)

// readBounded reads r whole, counting against the payload's expansion bound.
func (p *payloadScrubber) readBounded(r io.Reader) ([]byte, error) {
	left := maxExpanded - p.expanded
	b, err := io.ReadAll(io.LimitReader(r, int64(left)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > left {
		return nil, errTooLarge
	}
	p.expanded += len(b)
	return b, nil
}

// gzip opens a gzip payload, scrubs what it holds and compresses it again with the original
// header (name, time, OS, comment, extra field).
func (p *payloadScrubber) gzip(b []byte, name string, depth int) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return p.unreadable(b, name, "gzip", err.Error())
	}
	inner, err := p.readBounded(r)
	if err != nil {
		return p.unreadable(b, name, "gzip", err.Error())
	}
	innerName := strings.TrimSuffix(name, ".gz")
	if strings.HasSuffix(name, ".tgz") {
		innerName = strings.TrimSuffix(name, ".tgz") + ".tar"
	}
	if r.Name != "" {
		innerName = r.Name
	}
	out := p.bytes(inner, innerName, depth+1)
	if sameBytes(out, inner) {
		return b
	}
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Header = r.Header
	if _, err := w.Write(out); err != nil || w.Close() != nil {
		return p.unreadable(b, name, "gzip", "cannot be compressed again")
	}
	return buf.Bytes()
}

type tarMember struct {
	hdr  *tar.Header
	body []byte
}

// tar opens a tar payload, scrubs its regular files as ConfigMap values under their names, and
// writes it again with the original headers (names, modes, owners, times, links).
func (p *payloadScrubber) tar(b []byte, name string, depth int) []byte {
	tr := tar.NewReader(bytes.NewReader(b))
	var members []tarMember
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p.unreadable(b, name, "tar", err.Error())
		}
		if len(members) >= maxMembers {
			return p.unreadable(b, name, "tar", "more members than the bound")
		}
		body, err := p.readBounded(tr)
		if err != nil {
			return p.unreadable(b, name, "tar", err.Error())
		}
		members = append(members, tarMember{hdr, body})
	}
	changed := false
	for i, m := range members {
		if m.hdr.Typeflag != tar.TypeReg {
			continue
		}
		if out := p.bytes(m.body, joinPath(name, m.hdr.Name), depth+1); !sameBytes(out, m.body) {
			members[i].body, members[i].hdr.Size, changed = out, int64(len(out)), true
		}
	}
	if !changed {
		return b
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if tw.WriteHeader(m.hdr) != nil {
			return p.unreadable(b, name, "tar", "a header cannot be written again")
		}
		if _, err := tw.Write(m.body); err != nil {
			return p.unreadable(b, name, "tar", err.Error())
		}
	}
	if tw.Close() != nil {
		return p.unreadable(b, name, "tar", "cannot be written again")
	}
	return buf.Bytes()
}

type zipMember struct {
	hdr  zip.FileHeader
	body []byte
}

// zip opens a zip payload, scrubs its files and writes it again with the original names,
// methods, times and attributes. An encrypted member cannot be read: the archive is replaced.
func (p *payloadScrubber) zip(b []byte, name string, depth int) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return p.unreadable(b, name, "zip", err.Error())
	}
	if len(zr.File) > maxMembers {
		return p.unreadable(b, name, "zip", "more members than the bound")
	}
	members := make([]zipMember, 0, len(zr.File))
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 {
			return p.unreadable(b, name, "zip", "an encrypted member")
		}
		body, err := p.zipBody(f)
		if err != nil {
			return p.unreadable(b, name, "zip", err.Error())
		}
		members = append(members, zipMember{f.FileHeader, body})
	}
	changed := false
	for i, m := range members {
		if strings.HasSuffix(m.hdr.Name, "/") {
			continue
		}
		if out := p.bytes(m.body, joinPath(name, m.hdr.Name), depth+1); !sameBytes(out, m.body) {
			members[i].body, changed = out, true
		}
	}
	if !changed {
		return b
	}
	out, err := writeZip(members, zr.Comment)
	if err != nil {
		return p.unreadable(b, name, "zip", "cannot be written again")
	}
	return out
}

func (p *payloadScrubber) zipBody(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return p.readBounded(rc)
}

func writeZip(members []zipMember, comment string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := zw.SetComment(comment); err != nil {
		return nil, err
	}
	for _, m := range members {
		h := zip.FileHeader{Name: m.hdr.Name, Comment: m.hdr.Comment, Method: m.hdr.Method, Modified: m.hdr.Modified,
			ExternalAttrs: m.hdr.ExternalAttrs, CreatorVersion: m.hdr.CreatorVersion, NonUTF8: m.hdr.NonUTF8}
		if h.Method != zip.Store {
			h.Method = zip.Deflate
		}
		w, err := zw.CreateHeader(&h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(m.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emptyPayload is a valid, empty payload of a kind: what replaces one that cannot be opened.
func emptyPayload(kind string) []byte {
	var buf bytes.Buffer
	switch kind {
	case "gzip":
		w := gzip.NewWriter(&buf)
		_ = w.Close()
	case "tar":
		_ = tar.NewWriter(&buf).Close()
	case "zip":
		_ = zip.NewWriter(&buf).Close()
	}
	return buf.Bytes()
}
