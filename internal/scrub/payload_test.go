package scrub

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestPayloadWithStrayNUL: a text file with a stray NUL byte (a file padded or cut short by a
// crash, a value written by a program that ends its strings with one) is still read as text, in
// every place a payload is read. Judged binary, it was copied as it was, credential and all
// (FuzzPayloadNoCanary found it in a Latin-1 file). Binary data, with a NUL in far more than one
// byte in twenty, is still left alone.
func TestPayloadWithStrayNUL(t *testing.T) {
	const secret = "Vq8wLz3RkP0xYt5NbJ2m"
	doc := "# entrepôt\n\x00\ndb.host=db\ndb.password=" + secret + "\n"
	in := PlainInput{Keyring: testKeyring(21)}
	for _, tc := range []struct {
		name string
		data map[string]string
		bin  map[string][]byte
		open func(data map[string]string, bin map[string][]byte) string
	}{
		{"UTF-8 binaryData", nil, map[string][]byte{"app.properties": []byte(doc)},
			func(_ map[string]string, b map[string][]byte) string { return string(b["app.properties"]) }},
		{"Latin-1 binaryData", nil, map[string][]byte{"app.properties": []byte(latin1(doc))},
			func(_ map[string]string, b map[string][]byte) string { return string(b["app.properties"]) }},
		{"gzip member", nil, map[string][]byte{"app.properties.gz": []byte(gz("app.properties", doc))},
			func(_ map[string]string, b map[string][]byte) string { return openGz(string(b["app.properties.gz"])) }},
		{"base64 in data", map[string]string{"boot.b64": b64(doc)}, nil,
			func(d map[string]string, _ map[string][]byte) string {
				s, _ := base64Text64(d["boot.b64"])
				return s
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, bin, _ := ConfigMap("app", tc.data, tc.bin, in)
			got := tc.open(data, bin)
			if strings.Contains(got, secret) || strings.Contains(latin1Decode(got), secret) {
				t.Fatalf("the password reached the copy: %q", got)
			}
			if !strings.Contains(got, "db.host=db") {
				t.Fatalf("the document is not there any more: %q", got)
			}
		})
	}

	binary := append(bytes.Repeat([]byte{0, 0, 0, 1}, 16), []byte("db.password="+secret)...)
	_, bin, _ := ConfigMap("app", nil, map[string][]byte{"table.bin": binary}, in)
	if !bytes.Equal(bin["table.bin"], binary) {
		t.Fatalf("binary data (NUL in one byte in two) was read as text and changed: %q", bin["table.bin"])
	}
}

func latin1Decode(s string) string { return latin1Text.decode([]byte(s)) }

// cjkFewControls is Chinese whose UTF-16 code units seldom have a control byte (a high or low
// byte under 0x20), with a single ASCII character per line: read byte for byte it is as much
// single-byte text as UTF-16.
var cjkFewControls = "# " + strings.Repeat("数据库服务器的设定文件请勿手动修改不然服务无法启动\n", 24)

// TestUTF16OrSingleByte: a payload that starts with a UTF-16 byte-order mark's bytes is read as
// UTF-16 when it is UTF-16, in any script, and as single-byte text when it is that, stray NUL
// or not. Either way its password does not reach the copy.
func TestUTF16OrSingleByte(t *testing.T) {
	if k := payloadKind([]byte(utf16le(cjkFewControls))); k != "utf16 or latin1" {
		t.Fatalf("the CJK text below is meant to be ambiguous, and is read as %s", k)
	}
	const secret = "Vq8wLz3RkP0xYt5NbJ2m"
	line := "\npassword=" + secret + "\n"
	utf16be := func(s string) string {
		b := []byte{0xfe, 0xff}
		for _, u := range utf16.Encode([]rune(s)) {
			b = binary.BigEndian.AppendUint16(b, u)
		}
		return string(b)
	}
	for _, tc := range []struct{ name, payload, read, meant string }{
		{"Latin-1 that starts with þÿ, with a stray NUL", latin1("þÿ0" + line + "0\x00"), "utf16 or latin1", "latin1"},
		{"Latin-1 that starts with þÿ, with a NUL that makes a UTF-16 line break", latin1("þÿ\x00" + line + "00"), "utf16 or latin1", "latin1"},
		{"Latin-1 that starts with ÿþ", latin1("ÿþ# entrepôt" + line), "latin1", "latin1"},
		{"UTF-16LE, ASCII", utf16le("[db]" + line), "utf16", "utf16"},
		{"UTF-16BE, ASCII", utf16be("[db]" + line), "utf16", "utf16"},
		{"UTF-16LE, mostly CJK", utf16le("# " + strings.Repeat("数据库配置文件，请勿修改。", 30) + line), "utf16", "utf16"},
		{"UTF-16BE, mostly Cyrillic", utf16be("# " + strings.Repeat("Настройки базы данных. ", 30) + line), "utf16", "utf16"},
		{"UTF-16LE, CJK with few control bytes", utf16le(cjkFewControls + line), "utf16 or latin1", "utf16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := payloadKind([]byte(tc.payload)); got != tc.read {
				t.Errorf("read as %s, want %s", got, tc.read)
			}
			_, bin, _ := ConfigMap("app", nil, map[string][]byte{"app.ini": []byte(tc.payload)}, PlainInput{Keyring: testKeyring(22)})
			out := bin["app.ini"]
			for _, reading := range []string{string(out), latin1Text.decode(out), decodeUTF16(out)} {
				if strings.Contains(reading, secret) {
					t.Fatalf("the password reached the copy: %q", reading)
				}
			}
			// Scrubbed under the reading that is not meant too, the text is not damaged.
			if tc.meant == "utf16" && !strings.Contains(decodeUTF16(out), "\npassword=") ||
				tc.meant == "latin1" && !strings.Contains(latin1Text.decode(out), "\npassword=") {
				t.Errorf("the document is damaged: %q", out)
			}
		})
	}
}
