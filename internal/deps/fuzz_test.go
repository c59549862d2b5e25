package deps

import (
	"strings"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/internal/source"
)

// FuzzDetect feeds arbitrary values to detection as a ConfigMap value and as a Secret value.
// Every host found is text of the value; a password written into a URL's userinfo is never
// reported as (part of) a host, nor anywhere else in a reference.
func FuzzDetect(f *testing.F) {
	for _, seed := range []struct{ value, password string }{
		{"rediss://default:%s@my-cache.abc.use1.cache.amazonaws.com:6379", "pw"},
		{"amqps://u:%s@b-1.mq.us-east-1.amazonaws.com:5671/vh", "p@ss/word"},
		{"x=%s; host=search-a.us-east-1.es.amazonaws.com:443", "p"},
		{"mysql://u:%s@db.cluster-x.eu-west-1.rds.amazonaws.com/shop?tls=true", "q.cache.amazonaws.com"},
		{"%s", "b-1.mq.us-east-1.amazonaws.com"},
		{"jdbc:mysql://h.mysql.database.azure.com:3306/db,%s", "z"},
	} {
		f.Add(seed.value, seed.password)
	}
	f.Fuzz(func(t *testing.T, value, password string) {
		if !utf8.ValidString(value) || !utf8.ValidString(password) {
			return
		}
		full := strings.ReplaceAll(value, "%s", password)
		snap := &source.Snapshot{
			Namespace:  "shop-prod",
			ConfigMaps: []corev1.ConfigMap{{ObjectMeta: metav1.ObjectMeta{Name: "cm"}, Data: map[string]string{"k": full}}},
			Secrets:    []corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Name: "s"}, Data: map[string][]byte{"k": []byte(full)}}},
		}
		refs := Detect(snap)
		for _, r := range refs {
			if !strings.Contains(strings.ToLower(full), r.Host) {
				t.Fatalf("host %q is not in the value %q", r.Host, full)
			}
			if r.Port < 0 || r.Port > 65535 {
				t.Fatalf("port %d", r.Port)
			}
		}
		// A password in a URL's userinfo, holding none of the URL's delimiters, is userinfo for
		// sure: it must not surface from the Secret (unless the value also has it elsewhere).
		const prefix = "rediss://default:%s@"
		if !strings.HasPrefix(value, prefix) || password == "" || strings.ContainsAny(password, "@/?#:%\"'<>,;(){}|\\^` \t\r\n") {
			return
		}
		pw := strings.ToLower(password)
		if rest := strings.ToLower(full[len(prefix)-2+len(password):]); strings.Contains(rest, pw) {
			return
		}
		for _, r := range refs {
			if r.Secret != "" && strings.Contains(r.Host, pw) {
				t.Fatalf("the userinfo's password %q surfaced as host %q", password, r.Host)
			}
		}
	})
}

// FuzzSummaryCompact: whatever a probe reports, the summary fits a termination message and
// decodes again.
func FuzzSummaryCompact(f *testing.F) {
	f.Add("7.0.15", "redis", strings.Repeat("é\"\\", 3000))
	f.Fuzz(func(t *testing.T, version, dist, msg string) {
		b := Summary{Engine: "redis", Version: version, Distribution: dist, Error: msg, Definitions: msg}.Compact()
		if len(b) > MaxSummaryBytes {
			t.Fatalf("%d bytes", len(b))
		}
		if _, err := ParseSummary(b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzWholeValue: the host read from a value is text of the value, and a URL's userinfo is
// never taken for its host.
func FuzzWholeValue(f *testing.F) {
	for _, s := range []string{"rediss://u:p@cache:6379/0", "cache.prod.svc:6379", "h", "amqps://u:a@b@c.example.com", "x://@", "a:1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		host, shape, ok := WholeValue(v)
		if !ok {
			return
		}
		if host == "" || !strings.Contains(strings.ToLower(v), host) {
			t.Fatalf("WholeValue(%q) = %q", v, host)
		}
		if shape == ShapeURL {
			// RFC 3986: the authority ends at the first '/', '?' or '#'; the userinfo at its last '@'.
			_, auth, _ := strings.Cut(strings.ToLower(v), "://")
			if i := strings.IndexAny(auth, "/?#"); i >= 0 {
				auth = auth[:i]
			}
			if at := strings.LastIndexByte(auth, '@'); at >= 0 && !strings.Contains(auth[at:], host) {
				t.Fatalf("WholeValue(%q): host %q is not after the userinfo", v, host)
			}
		}
	})
}
