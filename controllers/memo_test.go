package controllers

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
)

func memoTestInputs(t *testing.T) scrubInputs {
	t.Helper()
	key, err := scrub.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return scrubInputs{Source: "prod", Target: "copy", Keyring: key,
		Rules:     []v1alpha1.RewriteRule{{From: "db.prod.example.com", To: "orders-db"}},
		KeepPlain: []v1alpha1.PlainValueRule{{ConfigMap: "app", Key: "LOG_LEVEL"}},
		Mode:      scrub.PlainScrub}
}

// mutate changes v (a settable field) to another value of its type: every kind scrubInputs
// and a ConfigMap use is handled, and an unhandled kind fails the test, so a field of a new
// kind cannot escape the property below.
func mutate(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "-changed")
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // bytes: flip one
			b := slices.Clone(v.Bytes())
			if len(b) == 0 {
				b = []byte{0}
			}
			b[0] ^= 0xff
			v.SetBytes(b)
			return
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		for i := 0; i < elem.NumField(); i++ {
			if f := elem.Field(i); f.Kind() == reflect.String {
				f.SetString("added")
			}
		}
		v.Set(reflect.Append(v, elem))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		m.SetMapIndex(reflect.ValueOf("added"), reflect.Zero(v.Type().Elem()))
		v.Set(m)
	default:
		t.Fatalf("field %s of kind %s: teach mutate to change it", name, v.Kind())
	}
}

// TestScrubMemoKeyCoversEveryInput is the cache's property: change any input the scrubbing reads
// and the memo must miss. Issue 19's stale result came from a key that hashed spec.config.rewrite
// but not the stand-ins' rules derived from spec.dependencies and prod's Services.
func TestScrubMemoKeyCoversEveryInput(t *testing.T) {
	base := memoTestInputs(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app"},
		Data: map[string]string{"REDIS_URL": "redis://cache.prod.example.com:6379"}, BinaryData: map[string][]byte{"blob": []byte("x")}}
	k0 := memoKey(base, cm)
	typ := reflect.TypeOf(base)
	for i := 0; i < typ.NumField(); i++ {
		changed := base
		changed.Rules = slices.Clone(base.Rules)
		changed.KeepPlain = slices.Clone(base.KeepPlain)
		v := reflect.ValueOf(&changed).Elem().Field(i)
		mutate(t, typ.Field(i).Name, v)
		if memoKey(changed, cm) == k0 {
			t.Errorf("changing scrubInputs.%s keeps the memo key: a stale result would be served", typ.Field(i).Name)
		}
	}
	for _, f := range []string{"Name", "Data", "BinaryData"} {
		changed := cm.DeepCopy()
		v := reflect.ValueOf(changed).Elem().FieldByName(f)
		if f == "Name" {
			v = reflect.ValueOf(&changed.ObjectMeta).Elem().FieldByName(f)
		}
		mutate(t, f, v)
		if memoKey(base, changed) == k0 {
			t.Errorf("changing the ConfigMap's %s keeps the memo key", f)
		}
	}
}

// TestScrubInputsMakeAllOfPlainInput: scrub.PlainInput is made from scrubInputs alone. A field
// added to PlainInput must be added to scrubInputs (and so to the key) before this passes.
func TestScrubInputsMakeAllOfPlainInput(t *testing.T) {
	made := map[string]string{
		"Rewriter": "Source, Target and Rules", "Keyring": "Keyring", "KeepPlain": "KeepPlain", "Mode": "Mode",
	}
	typ := reflect.TypeOf(scrub.PlainInput{})
	for i := 0; i < typ.NumField(); i++ {
		if _, ok := made[typ.Field(i).Name]; !ok {
			t.Errorf("scrub.PlainInput.%s is not made from scrubInputs: add what it depends on to scrubInputs", typ.Field(i).Name)
		}
	}
	in := memoTestInputs(t)
	p := in.plainInput()
	if p.Rewriter.Rewrite("db.prod.example.com") != "orders-db" || !slices.Equal(p.Keyring, in.Keyring) || p.Mode != in.Mode || len(p.KeepPlain) != 1 {
		t.Errorf("plainInput does not carry the inputs: %+v", p)
	}
}

// TestScrubMemoGivesWhatScrubbingGives: a remembered ConfigMap is exactly the scrubbed one, and a
// new stand-in rule (a dependency added to the spec) scrubs again, pointing at the stand-in.
func TestScrubMemoGivesWhatScrubbingGives(t *testing.T) {
	in := memoTestInputs(t)
	cm := &largeProd().ConfigMaps[0]
	m := newScrubMemo()
	want, _, _ := scrub.ConfigMap(cm.Name, cm.Data, cm.BinaryData, in.plainInput())
	for range 2 {
		got, _, _ := m.configMap(in, cm)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatal("the memo's result differs from scrubbing")
		}
	}
	redis := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cache"}, Data: map[string]string{"REDIS_HOST": "cache.prod.example.com"}}
	before, _, _ := m.configMap(in, redis)
	withDependency := in
	withDependency.Rules = append(slices.Clone(in.Rules), v1alpha1.RewriteRule{From: "cache.prod.example.com", To: "cache"})
	after, _, _ := m.configMap(withDependency, redis)
	if before["REDIS_HOST"] != "cache.prod.example.com" || after["REDIS_HOST"] != "cache" {
		t.Fatalf("before the dependency %q, after %q: want prod's host, then the stand-in", before["REDIS_HOST"], after["REDIS_HOST"])
	}
}
