package scrub

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

// file is one member of an archive made for the corpus.
type file struct{ name, body string }

var fixedTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func gz(name, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Name, w.ModTime = name, fixedTime
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

func tarOf(files ...file) string {
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, f := range files {
		_ = w.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: fixedTime, Typeflag: tar.TypeReg, Uname: "app", Gname: "app"})
		_, _ = w.Write([]byte(f.body))
	}
	_ = w.Close()
	return b.String()
}

func tgz(files ...file) string { return gz("", tarOf(files...)) }

func zipOf(files ...file) string {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, f := range files {
		fw, _ := w.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: fixedTime})
		_, _ = fw.Write([]byte(f.body))
	}
	_ = w.Close()
	return b.String()
}

// latin1 writes s (runes up to U+00FF) one byte per rune, as ISO-8859-1 and Windows-1252 do.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return string(b)
}

// openGz, openTar, openZip and openUTF16 read a payload as its consumer would; what cannot be
// read is returned as it is (the raw output is checked anyway).
func openGz(s string) string {
	r, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		return s
	}
	b, _ := io.ReadAll(io.LimitReader(r, 16<<20))
	return string(b)
}

func openTar(s string) string {
	var out strings.Builder
	r := tar.NewReader(strings.NewReader(s))
	for {
		h, err := r.Next()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(io.LimitReader(r, 16<<20))
		out.WriteString(h.Name + "\n" + openGz(string(b)) + "\n")
	}
	return out.String()
}

func openTgz(s string) string { return openTar(openGz(s)) }

func openZip(s string) string {
	r, err := zip.NewReader(strings.NewReader(s), int64(len(s)))
	if err != nil {
		return s
	}
	var out strings.Builder
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(rc, 16<<20))
		_ = rc.Close()
		out.WriteString(f.Name + "\n" + string(b) + "\n")
	}
	return out.String()
}

func openUTF16(s string) string {
	if len(s) < 2 || s[0] != 0xff || s[1] != 0xfe {
		return s
	}
	u := make([]uint16, 0, len(s)/2)
	for i := 2; i+1 < len(s); i += 2 {
		u = append(u, binary.LittleEndian.Uint16([]byte(s[i:i+2])))
	}
	return string(utf16.Decode(u))
}

func bin(name, key string, human bool, open func(string) string, in func(c string) string) leakCase {
	return leakCase{name: name, where: "bin", key: key, human: human, open: open, in: in}
}

func tinyPNG() string {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 4 {
		img.Set(i, i, color.RGBA{R: 200, G: 30, B: 90, A: 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.String()
}

// noise is incompressible bytes, standing for a binary file's content.
func noise(n int) string {
	var b []byte
	for i := 0; len(b) < n; i++ {
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		b = append(b, sum[:]...)
	}
	return string(b[:n])
}

var payloadLeaks = section("payloads",
	bin("latin-1 properties", "messages_fr.properties", true, nil, func(c string) string {
		return latin1("# Paramètres de l'entrepôt\nentrepot.nom=Entrepôt Lyon\nentrepot.mot_de_passe=" + c + "\ndb.password=" + c + "\n")
	}),
	bin("latin-1 text with a random token", "partner.properties", false, nil, func(c string) string {
		return latin1("# Société partenaire\npartner.ref=" + c + "\npartner.name=Crème\n")
	}),
	bin("windows-1252 ini", "legacy.ini", true, nil, func(c string) string {
		return "[db]\r\npassword=" + c + "\r\ncomment=\x93prod\x94 \x96 do not edit\r\n"
	}),
	leakCase{name: "utf-16 ini with BOM", where: "bin", key: "settings.ini", human: true, open: openUTF16, secret: func(c string) string { return utf16le(c)[2:] },
		in: func(c string) string { return utf16le("[Database]\r\nServer=db\r\nPassword=" + c + "\r\n") }},
	bin("gzip of a properties file", "app.properties.gz", true, openGz, func(c string) string {
		return gz("app.properties", "server.port=8080\nspring.datasource.password="+c+"\n")
	}),
	bin("gzip without a telling name", "settings", false, openGz, func(c string) string {
		return gz("", `{"partner": {"apiKey": "`+c+`", "timeout": 30}}`)
	}),
	bin("tar.gz bundle", "config-bundle.tgz", true, openTgz, func(c string) string {
		return tgz(file{"conf/app.yaml", "db:\n  host: db\n  password: " + c + "\n"}, file{"conf/nginx.conf", "server { listen 80; }\n"}, file{"certs/ca.crt", testCert})
	}),
	bin("tar.gz with a .env", "env.tar.gz", false, openTgz, func(c string) string {
		return tgz(file{".env", "APP_ENV=production\nSTRIPE_SECRET=" + c + "\n"})
	}),
	bin("plain tar with a netrc", "home.tar", true, openTar, func(c string) string {
		return tarOf(file{"home/app/.netrc", "machine git.example.com login ci password " + c + "\n"}, file{"home/app/.profile", "export PATH=$PATH:/opt/bin\n"})
	}),
	bin("zip of properties", "config.zip", true, openZip, func(c string) string {
		return zipOf(file{"config/application.properties", "spring.datasource.url=jdbc:postgresql://db/shop\nspring.datasource.password=" + c + "\n"})
	}),
	bin("gzip inside a tar.gz", "nested.tgz", true, openTgz, func(c string) string {
		return tgz(file{"backup/settings.json.gz", gz("settings.json", `{"smtp": {"password": "`+c+`"}}`)})
	}),
	cm("base64 document under a harmless key", "bootstrap.b64", true, func(c string) string {
		return b64("db:\n  user: app\n  password: " + c + "\n")
	}),
	leakCase{name: "helm release in a ConfigMap", where: "cm", key: "release", human: true, open: func(out string) string {
		return openGz(string(mustB64(out)))
	}, in: func(c string) string {
		return b64(gz("", `{"name":"db","chart":{"metadata":{"name":"postgresql"}},"config":{"auth":{"postgresPassword":"`+c+`"}}}`))
	}},
	cm("basic header with a colon-less token in JSON", "upstreams.json", true, func(c string) string {
		return `{"upstreams": [{"url": "https://partner.example.com", "headers": [{"name": "X-Upstream", "value": "Basic ` + b64(c) + `"}]}]}`
	}),
	cm("lower-case basic scheme in JSON", "proxy.json", true, func(c string) string {
		return `{"routes": {"/partner": {"target": "https://partner.example.com", "headers": {"Proxy-Authz": "basic ` + b64("shop:"+c) + `"}}}}`
	}),
	cm("basic header inside escaped JSON", "gateway.json", true, func(c string) string {
		return `{"route": "partner", "config": "{\"headers\": {\"Authorization\": \"Basic ` + b64("svc:"+c) + `\"}}"}`
	}),
	env("basic credentials in a header list", "UPSTREAM_HEADERS", true, func(c string) string {
		return `[{"header": "Authorization", "value": "Basic ` + b64("svc:"+c) + `"}]`
	}),
)

func mustB64(s string) []byte {
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return []byte(s)
	}
	return dec
}

var payloadHarmless = harmlessSection("payloads",
	harmlessCase{where: "bin", key: "messages_fr.properties", value: latin1("# Libellés\ncheckout.titre=Récapitulatif de la commande\ncheckout.total=Total TTC\n")},
	harmlessCase{where: "bin", key: "legacy.ini", value: "[ui]\r\ntitle=\x93Shop\x94 \x96 Admin\r\nlocale=de_DE\r\n"},
	harmlessCase{where: "bin", key: "settings.ini", value: utf16le("[Display]\r\nTheme=Dark\r\nLanguage=en-GB\r\n")},
	harmlessCase{where: "bin", key: "app.yaml.gz", value: gz("app.yaml", "server:\n  port: 8080\nlogging:\n  level: info\n")},
	harmlessCase{where: "bin", key: "bundle.tgz", value: tgz(file{"conf/app.yaml", "server:\n  port: 8080\n"}, file{"certs/ca.crt", testCert})},
	harmlessCase{where: "bin", key: "templates.zip", value: zipOf(file{"mail/welcome.html", "<p>Welcome to the shop!</p>\n"}, file{"mail/reset.html", "<p>Follow the link to reset your password.</p>\n"})},
	harmlessCase{where: "bin", key: "logo.png", value: tinyPNG()},
	harmlessCase{where: "bin", key: "truststore.jks", value: "\xfe\xed\xfe\xed\x00\x00\x00\x02" + noise(200)}.because("a trust store holds CA certificates, which are public"),
	harmlessCase{where: "bin", key: "model.bin.gz", value: gz("model.bin", noise(4096))},
	harmlessCase{where: "bin", key: "GeoLite2-Country.mmdb", value: noise(1024)},
	harmlessCase{where: "bin", key: "data.tar", value: tarOf(file{"data/regions.csv", "code,name\neu-west-1,Ireland\nus-east-1,Virginia\n"})},
	cmH("logo.svg.b64", b64("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"7\"/></svg>")),
	cmH("headers.json", `{"headers": {"Authorization": "Bearer ${API_TOKEN}", "Accept": "application/json"}}`),
	cmH("upstream.json", `{"upstreams": [{"url": "https://partner.example.com", "headers": [{"name": "X-Request-Source", "value": "shop"}]}]}`),
)
