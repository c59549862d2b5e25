package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func prodSecret(name string, kv ...string) corev1.Secret {
	s := corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string][]byte{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Data[kv[i]] = []byte(kv[i+1])
	}
	return s
}

func toUnstructured(t testing.TB, obj any) map[string]any {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSweepFindsEveryForm plants one prod value in every encoding the sweep promises, next to
// other text, and checks none of it survives while the surroundings do.
func TestSweepFindsEveryForm(t *testing.T) {
	c := &canaries{seed: "sweep-forms"}
	v := "pw/" + c.next() + "+&\"x" // slash, plus, ampersand and quote: every escaping differs
	sw := NewSweep([]corev1.Secret{prodSecret("db", "password", v)}, testKeyring(5), nil)
	js, _ := json.Marshal(v)
	b := []byte(v)
	forms := map[string]string{
		"plain":        "before " + v + " after",
		"hex":          "x=" + hex.EncodeToString(b) + ";",
		"HEX":          "x=" + strings.ToUpper(hex.EncodeToString(b)) + ";",
		"base64":       "Basic " + base64.StdEncoding.EncodeToString(b),
		"base64url":    "t=" + base64.URLEncoding.EncodeToString(b),
		"base64raw":    "t=" + base64.RawStdEncoding.EncodeToString(b),
		"user:":        "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+v)),
		"us:":          "Basic " + base64.StdEncoding.EncodeToString([]byte("us:"+v)),
		"u:":           "Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+v)),
		"query":        "https://api/x?password=" + url.QueryEscape(v) + "&a=1",
		"path":         "https://api/" + url.PathEscape(v) + "/x",
		"json":         `{"note":` + string(js) + `}`,
		"docker":       `{"auths":{"r":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("ci:"+v)) + `"}}}`,
		"base64(yaml)": base64.StdEncoding.EncodeToString([]byte("db:\n  password: '" + v + "'\n")),
	}
	for name, s := range forms {
		out, n := sw.String(s)
		probe := &canaries{}
		probe.add(v[3 : 3+24])
		if l := probe.leaks(out); len(l) > 0 || n == 0 {
			t.Errorf("%s: n=%d leaks %v\n in: %q\nout: %q", name, n, l, s, out)
		}
		if again, _ := sw.String(s); again != out {
			t.Errorf("%s: not deterministic", name)
		}
	}
	// Re-encoding keeps encoded text decodable, with the stand-in inside.
	out, _ := sw.String(forms["user:"])
	dec, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(out, "Basic "))
	if err != nil || !strings.HasPrefix(string(dec), "user:") {
		t.Errorf("Basic credentials not re-encoded: %q (%v)", dec, err)
	}
}

// TestSweepParts checks that the pieces of structured Secret values are looked for on their own.
func TestSweepParts(t *testing.T) {
	c := &canaries{seed: "sweep-parts"}
	envLine, jsonLeaf, urlPass, dockerPass, pemLine := c.next(), c.next(), c.next(), c.next(), c.next()+c.next()
	prod := []corev1.Secret{
		prodSecret("app-env", ".env", "LOG_LEVEL=info\nAPI_TOKEN="+envLine+"\nDB_HOST=orders.prod.example.com\n"),
		prodSecret("svc", "config.json", `{"client":{"id":"checkout","secret":"`+jsonLeaf+`"},"port":8443}`),
		prodSecret("db", "DATABASE_URL", "postgres://app:"+urlPass+"@orders.prod.example.com:5432/orders"),
		prodSecret("regcred", ".dockerconfigjson", `{"auths":{"registry.example":{"auth":"`+base64.StdEncoding.EncodeToString([]byte("ci:"+dockerPass))+`"}}}`),
		prodSecret("ssh", "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n"+pemLine+"\n-----END OPENSSH PRIVATE KEY-----\n"),
	}
	sw := NewSweep(prod, testKeyring(5), nil)
	for _, v := range []string{envLine, jsonLeaf, urlPass, dockerPass, pemLine} {
		for _, s := range []string{v, "pasted: " + v, `{"x":"` + v + `"}`} {
			out, n := sw.String(s)
			if strings.Contains(out, v) || n != 1 {
				t.Errorf("part %q survived (n=%d): %q", v, n, out)
			}
		}
	}
	// Harmless pieces of the same Secrets stay wherever they appear.
	for _, s := range []string{"info", "orders.prod.example.com", "checkout", "8443", "ci", "registry.example", "app"} {
		if out, n := sw.String("x " + s + " y"); n != 0 {
			t.Errorf("harmless part %q replaced: %q", s, out)
		}
	}
}

// TestSweepExemptions: what the sweep leaves alone by rule.
func TestSweepExemptions(t *testing.T) {
	cert := testCert // a certificate that parses: the armour alone does not make text public
	prod := []corev1.Secret{
		prodSecret("s", "password", "pw123", "enabled", "true", "port", "5432", "pin", "123456",
			"host", "orders.prod.rds.example.com", "username", "orders_app", "tls.crt", cert,
			"db-password", "postgres", "region", "eu-west-1"),
		prodSecret("kept", "publishable-key", "pk_live_kEpTvAlUe0123456789"),
		prodSecret("generated", "token", "pk_live_kEpTvAlUe0123456789"), // same value, other key
	}
	sw := NewSweep(prod, testKeyring(5), []string{"kept/publishable-key"})
	text := "pw123 true 5432 123456 orders.prod.rds.example.com orders_app " + cert +
		" image: postgres:16 eu-west-1 pk_live_kEpTvAlUe0123456789"
	if out, n := sw.String(text); n != 0 || out != text {
		t.Errorf("exempt values replaced (n=%d):\n in: %q\nout: %q", n, text, out)
	}
	// A sensitive key's value is looked for even when it looks like a word.
	sw = NewSweep([]corev1.Secret{prodSecret("s", "password", "orders_app_2019")}, testKeyring(5), nil)
	if _, n := sw.String("user orders_app_2019"); n != 1 {
		t.Error("a password that looks like a name was not swept")
	}
}

// TestSweepObjects is the guarantee the copy relies on: a prod Secret value pasted under a
// harmless ConfigMap key, into a pod annotation and into a CronJob's args is replaced, in plain
// and encoded forms, while kept Secret keys and the rest of the objects are untouched.
func TestSweepObjects(t *testing.T) {
	// Low entropy, no sensitive key, no known prefix: nothing but the sweep can know it.
	pasted := "orders-reporting-2019"
	prod := []corev1.Secret{
		prodSecret("reporting", "password", pasted),
		prodSecret("stripe", "publishable-key", "pk_live_kEpTvAlUe0123456789"),
	}
	sw := NewSweep(prod, testKeyring(8), []string{"stripe/publishable-key"})

	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "reporting", Labels: map[string]string{"app": "reporting"}},
		Data: map[string]string{
			"schedule.yaml": "report:\n  owner: finance\n  note: " + pasted + "\n",
			"encoded":       base64.StdEncoding.EncodeToString([]byte(pasted)),
			"LOG_LEVEL":     "info",
		},
		BinaryData: map[string][]byte{"blob": []byte("xx" + pasted + "yy")},
	}
	pod := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Annotations: map[string]string{
			"example.com/debug": "login=" + pasted, "prometheus.io/port": "9090"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "postgres:16"}}},
	}
	cron := map[string]any{
		"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"name": "report"},
		"spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{
			"spec": map[string]any{"containers": []any{map[string]any{
				"name": "report", "args": []any{"--db", "reporting", "--login", pasted, "--url=" + url.QueryEscape(pasted)},
			}}},
		}}}},
	}
	kept := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "stripe"},
		Data:       map[string][]byte{"publishable-key": []byte("pk_live_kEpTvAlUe0123456789")},
	}
	unchanged := map[string][]string{
		"ConfigMap": {"finance", "info", "reporting"},
		"Pod":       {"example.com/debug", "login=", "9090", "postgres:16"},
		"CronJob":   {"--db reporting --login", "--url="},
	}
	for _, obj := range []map[string]any{toUnstructured(t, cm), toUnstructured(t, pod), cron, toUnstructured(t, kept)} {
		before := fmt.Sprint(obj)
		n := sw.Object(obj)
		after := fmt.Sprint(obj)
		p := &canaries{}
		p.add(pasted)
		if l := p.leaks(after); len(l) > 0 {
			t.Errorf("%s leaks %v after sweeping:\n%s", obj["kind"], l, after)
		}
		if obj["kind"] == "Secret" {
			if n != 0 || after != before {
				t.Errorf("kept Secret value swept: %s", after)
			}
			continue
		}
		if n == 0 {
			t.Errorf("%s: nothing replaced", obj["kind"])
		}
		for _, keep := range unchanged[obj["kind"].(string)] {
			if !strings.Contains(after, keep) {
				t.Errorf("%s lost %q: %s", obj["kind"], keep, after)
			}
		}
	}
	// The swept ConfigMap still converts back, with its binaryData still base64.
	u := toUnstructured(t, cm)
	sw.Object(u)
	var back corev1.ConfigMap
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u, &back); err != nil {
		t.Fatalf("swept ConfigMap does not convert back: %v", err)
	}
	if !strings.HasPrefix(string(back.BinaryData["blob"]), "xx") || strings.Contains(string(back.BinaryData["blob"]), pasted) {
		t.Errorf("binaryData = %q", back.BinaryData["blob"])
	}
	// Same input, same output: reconciles write nothing new.
	u2 := toUnstructured(t, cm)
	sw.Object(u2)
	if !reflect.DeepEqual(u, u2) {
		t.Error("sweep is not deterministic")
	}
}

func TestSweepNilAndEmpty(t *testing.T) {
	var sw *Sweep
	if out, n := sw.String("x"); out != "x" || n != 0 {
		t.Error("nil sweep changed text")
	}
	empty := NewSweep(nil, testKeyring(1), nil)
	if out, n := empty.String("anything at all"); out != "anything at all" || n != 0 || empty.Len() != 0 {
		t.Error("empty sweep changed text")
	}
}
