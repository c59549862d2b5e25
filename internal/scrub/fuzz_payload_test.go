package scrub

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/hcl/parser"
	corev1 "k8s.io/api/core/v1"
)

// Fuzz targets for the parsers and decoders of issue 21: HCL, the dotfile formats, the passes
// that read values without a separator, payloads (archives and encodings), base64 documents,
// the sweep's line folding, public key material and labels.

func FuzzHCLFormat(f *testing.F) {
	valid := func(s string) error { _, err := parser.Parse([]byte(s)); return err }
	fuzzFormat(f, []formatSnippet{
		{"a.hcl", func(c string) string { return "\nacl {\n  tokens {\n    agent = \"" + c + "\"\n  }\n}\n" }, anyPunct, valid},
		{"b.hcl", func(c string) string { return "\nseal \"transit\" {\n  token = \"" + c + "\"\n}\n" }, "-_.~+", valid},
		{"c.hcl", func(c string) string { return "\nsecrets {\n  stripe = \"" + c + "\"\n}\n" }, "-_.~+", valid},
		{"d.nomad", func(c string) string { return "\ntemplate {\n  data = <<EOH\nDB_PASSWORD=" + c + "\nEOH\n}\n" }, "-_.~", valid},
		{"e.hcl", func(c string) string { return "\nencrypt = \"" + c + "\"\n" }, "+/", valid},
	}, [2]string{"datacenter = \"eu1\"", "ports {\n  grpc = 8502\n}"}, [2]string{"a = [1, 2]", "b = { c = \"d\" }"}, [2]string{"", ""})
}

func FuzzDotfileFormats(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{".pgpass", func(c string) string { return "\ndb:5432:shop:app:" + c + "\n" }, "-_.~+!", nil},
		{".curlrc", func(c string) string { return "\nuser = \"ci:" + c + "\"\n" }, "-_.~+!", nil},
		{".netrc", func(c string) string { return "\nmachine git.example.com login ci password " + c + "\n" }, "-_.~+!", nil},
		{"odbc.ini", func(c string) string { return "\n[dsn]\nUID = app\nPWD = " + c + "\n" }, "-_.~+!", nil},
		{"jaas.conf", func(c string) string {
			return "\nKafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  user_app=\"" + c + "\";\n};\n"
		}, "-_.~+!", nil},
		{"init.sql", func(c string) string { return "\nCREATE USER app WITH PASSWORD '" + c + "';\n" }, "-_.~+!", nil},
		{"ora.txt", func(c string) string { return "\njdbc:oracle:thin:app/" + c + "@db:1521:ORCL\n" }, "-_.~+!", nil},
		{"api.conf", func(c string) string { return "\nif ($http_x_api_key != \"" + c + "\") { return 401; }\n" }, "-_.~+!", nil},
		{"hooks.txt", func(c string) string { return "\nhttps://hooks.example.com/with/key/" + c + "\n" }, "-_.~", nil},
	}, [2]string{"# c", "x = 1"}, [2]string{"[s]", "[t]\ny: 2"}, [2]string{"", ""})
}

// payloadKinds wrap a document in each kind of payload the operator opens, with the reader that
// opens it again.
var payloadKinds = []struct {
	name        string
	key         string
	wrap        func(doc string) string
	open        func(out string) string
	valid       func(out string) error
	canaryPunct string
}{
	{"gzip", "app.properties.gz", func(d string) string { return gz("app.properties", d) }, openGz, gzipValid, "-_.~+!"},
	{"tar.gz", "bundle.tgz", func(d string) string { return tgz(file{"conf/app.properties", d}) }, openTgz, tarGzValid, "-_.~+!"},
	{"tar", "bundle.tar", func(d string) string { return tarOf(file{"conf/app.properties", d}) }, openTar, tarValid, "-_.~+!"},
	{"zip", "bundle.zip", func(d string) string { return zipOf(file{"conf/app.properties", d}) }, openZip, zipValid, "-_.~+!"},
	{"utf16", "app.ini", utf16le, openUTF16, nil, "-_.~+!"},
	{"latin1", "app.properties", func(d string) string { return latin1("# entrepôt\n" + d) }, func(s string) string { return s }, nil, "-_.~+!"},
}

// FuzzPayloadNoCanary: a credential in a document inside any payload does not reach the copy,
// whatever surrounds it; a valid archive stays valid; the result is deterministic.
func FuzzPayloadNoCanary(f *testing.F) {
	for i := range payloadKinds {
		f.Add(uint8(i), "server.port=8080", "log.level=info", []byte("fuzzCanary0123456789abc"))
		// A stray NUL byte (found by this target in a Latin-1 file): judged binary, the file was
		// copied as it was.
		f.Add(uint8(i), "\x00", "0", []byte("fuzzCanary0123456789abc"))
	}
	in := PlainInput{Keyring: testKeyring(17)}
	f.Fuzz(func(t *testing.T, which uint8, prefix, suffix string, raw []byte) {
		k := payloadKinds[int(which)%len(payloadKinds)]
		canary := fuzzCanary(raw, k.canaryPunct)
		doc := prefix + "\ndb.password=" + canary + "\n" + suffix
		content := doc // the bytes the scrubber judges
		if k.name == "latin1" {
			content = latin1(doc)
		}
		if mentions(canary, prefix, suffix) || k.name == "latin1" && !latin1Encodable(doc) || controlsBeyondText(content) {
			t.Skip() // with more control bytes than text holds, a payload is binary by rule
		}
		payload := []byte(k.wrap(doc))
		_, out, _ := ConfigMap("app", nil, map[string][]byte{k.key: payload}, in)
		got := string(out[k.key])
		c := &canaries{}
		c.add(canary)
		if l := append(c.leaks(got), c.leaks(k.open(got))...); len(l) > 0 {
			t.Fatalf("%s leaks %v:\nout: %q", k.name, l, got)
		}
		if k.valid != nil {
			if err := k.valid(got); err != nil {
				t.Fatalf("%s no longer opens: %v", k.name, err)
			}
		}
		if _, again, _ := ConfigMap("app", nil, map[string][]byte{k.key: payload}, in); !bytes.Equal(again[k.key], out[k.key]) {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzPayloadBytes: any bytes as binaryData: no panic, the input is not modified, the result is
// deterministic, and what comes out is the input, an archive of the input's kind, or a stand-in.
func FuzzPayloadBytes(f *testing.F) {
	f.Add([]byte(gz("x", "password=hunter2hunter2\n")))
	f.Add([]byte(tgz(file{"a/b.env", "TOKEN=x"})))
	f.Add([]byte(zipOf(file{"c.yaml", "token: y"})))
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	f.Add([]byte("PK\x03\x04truncated"))
	f.Add([]byte(utf16le("a=b")))
	in := PlainInput{Keyring: testKeyring(18)}
	f.Fuzz(func(t *testing.T, b []byte) {
		before := append([]byte(nil), b...)
		_, out, _ := ConfigMap("app", nil, map[string][]byte{"blob": b}, in)
		if !bytes.Equal(b, before) {
			t.Fatal("input modified")
		}
		if _, again, _ := ConfigMap("app", nil, map[string][]byte{"blob": b}, in); !bytes.Equal(again["blob"], out["blob"]) {
			t.Fatal("not deterministic")
		}
		if kind := payloadKind(b); kind == "gzip" && !bytes.Equal(out["blob"], b) {
			if err := gzipValid(string(out["blob"])); err != nil {
				t.Fatalf("a rewritten gzip does not open: %v", err)
			}
		}
	})
}

// FuzzBase64PayloadNoCanary: a document kept base64-encoded in a ConfigMap value, at any line
// width, does not carry its credential into the copy.
func FuzzBase64PayloadNoCanary(f *testing.F) {
	f.Add("db:\n  host: db", "pool: 5", uint8(0), []byte("fuzzCanary0123456789abc"))
	f.Add("{\"a\": 1,", "\"b\": 2}", uint8(76), []byte("QWERTYUIOPasdfghjkl0123"))
	// A document that starts with a UTF-16 byte-order mark's two bytes but is not UTF-16 (found
	// by this target in CI): read as UTF-16 it held nothing, and its password reached the copy.
	f.Add("\xfe\xff", "0", uint8(2), []byte("fuzzCanary0123456789abc"))
	f.Add("\xff\xfe", "012", uint8(0), []byte("QWERTYUIOPasdfghjkl0123"))
	// The same with a stray NUL byte (found by this target): a NUL was taken for UTF-16's.
	f.Add("\xfe\xff0", "0\x00", uint8(2), []byte("00000000000000000"))
	in := PlainInput{Keyring: testKeyring(19)}
	f.Fuzz(func(t *testing.T, prefix, suffix string, width uint8, raw []byte) {
		canary := fuzzCanary(raw, "-_.~+!")
		doc := prefix + "\npassword: " + canary + "\n" + suffix
		if mentions(canary, prefix, suffix) || controlsBeyondText(doc) {
			t.Skip() // with more control bytes than text holds, the payload is binary by rule
		}
		value := wrapLines(b64(doc), int(width%100), "\n")
		out, _, _ := ConfigMap("app", map[string]string{"boot.b64": value}, nil, in)
		dec, _ := base64Text64(out["boot.b64"])
		c := &canaries{}
		c.add(canary)
		if l := append(c.leaks(out["boot.b64"]), c.leaks(dec)...); len(l) > 0 {
			t.Fatalf("leaks %v:\n in: %q\nout: %q", l, value, out["boot.b64"])
		}
	})
}

func base64Text64(s string) (string, error) {
	b, err := b64decode(strings.Join(strings.Fields(s), ""))
	return string(b), err
}

// FuzzSweepFolding: a prod value broken over lines at any places, with any of the fold points
// the sweep knows, is found.
func FuzzSweepFolding(f *testing.F) {
	f.Add([]byte("fuzzCanary0123456789abcdefghij"), uint8(7), uint8(0), "  ")
	f.Add([]byte("QWERTYUIOPasdfghjkl0123zxcvbnm"), uint8(13), uint8(2), "")
	k := testKeyring(20)
	seps := []string{"\n", "\r\n", "\\\n", `\n`}
	f.Fuzz(func(t *testing.T, raw []byte, width, sep uint8, indent string) {
		v := fuzzCanary(raw, "")
		if len(v) < 24 || strings.TrimLeft(indent, " \t") != "" {
			t.Skip()
		}
		w := int(width%20) + 4
		folded := wrap(v, w, seps[int(sep)%len(seps)]+indent)
		sw := NewSweep([]corev1.Secret{prodSecret("db", "password", v)}, k, nil)
		out, _ := sw.String("blob: " + folded + "\n")
		probe := &canaries{}
		probe.add(v)
		if l := probe.leaks(unfold(out)); len(l) > 0 {
			t.Fatalf("folded value leaks %v:\n in: %q\nout: %q", l, folded, out)
		}
	})
}

// FuzzPublicMaterial: the readers of public key material never panic, and never take text
// holding a private key for public.
func FuzzPublicMaterial(f *testing.F) {
	f.Add(testCert)
	f.Add(testSSHPub)
	f.Add(testJWKS)
	f.Add("# hosts\n" + testSSHPub2)
	f.Fuzz(func(t *testing.T, s string) {
		public := publicMaterial(s)
		if public && (strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, `"d"`)) {
			t.Fatalf("text with private material taken for public: %q", s)
		}
		if publicMaterial(s+"\n"+testKey) || publicMaterial(testCert+s+"\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") {
			t.Fatal("a private key appended was taken for public")
		}
		_ = publicDER(s)
		_ = privateDER(s)
	})
}

var labelValue = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)

// FuzzLabels: a label value that was valid stays valid and is deterministic; under a key naming
// a credential, a value that is not proven harmless is replaced.
func FuzzLabels(f *testing.F) {
	f.Add("app", "api")
	f.Add("api-token", "Zq8tT3kwP9zLm2xAb7cD")
	f.Add("pod-template-hash", "7d4b9c8f6")
	in := PlainInput{Keyring: testKeyring(21)}
	f.Fuzz(func(t *testing.T, key, value string) {
		out, _ := Labels("api", map[string]string{key: value}, in)
		if labelValue.MatchString(value) && len(value) <= 63 && (!labelValue.MatchString(out[key]) || len(out[key]) > 63) {
			t.Fatalf("label %s=%q became invalid: %q", key, value, out[key])
		}
		if again, _ := Labels("api", map[string]string{key: value}, in); again[key] != out[key] {
			t.Fatal("not deterministic")
		}
		name := key[strings.LastIndexByte(key, '/')+1:] // a label key's prefix is a DNS domain
		if IsSensitive(name, value) && !provenHarmless(value) && out[key] == value && !(referenceKey(name) && referenceValue(value)) &&
			!harmlessValue(value) && !publicClientValue(value) {
			t.Fatalf("label %s=%q kept", key, value)
		}
	})
}

func gzipValid(s string) error {
	r, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		return err
	}
	_, err = r.Read(make([]byte, 1))
	if err != nil && err.Error() != "EOF" {
		return err
	}
	return nil
}

func tarValid(s string) error {
	_, err := tar.NewReader(strings.NewReader(s)).Next()
	return err
}

func tarGzValid(s string) error {
	r, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		return err
	}
	_, err = tar.NewReader(r).Next()
	return err
}

func zipValid(s string) error {
	_, err := zip.NewReader(strings.NewReader(s), int64(len(s)))
	return err
}

func b64decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// controlsBeyondText reports more control bytes (NUL included; blanks and line ends are
// text) than the one in twenty that a text file may hold: by the documented rule such a
// payload is binary data, which the scrubber does not read.
func controlsBeyondText(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && !strings.ContainsRune("\t\n\r\f\v", rune(c))) || c == 0x7f {
			n++
		}
	}
	return n*20 > len(s)
}

// latin1Encodable: every rune fits a byte (a Latin-1 file cannot hold more; the test's encoder
// would cut it down to another byte).
func latin1Encodable(s string) bool {
	for _, r := range s {
		if r > 0xff {
			return false
		}
	}
	return true
}
