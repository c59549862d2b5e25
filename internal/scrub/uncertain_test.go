package scrub

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

const randomRef = "Zq8tT3kwP9zLm2xAb7cD4eF"

// TestUncertainReported: each decision taken without a rule that makes it sure comes out of the
// scrub call with its key, its path inside the value and its reason; a keepPlain rule naming it
// keeps the value and silences the report; Strict mode replaces what was kept on judgment.
func TestUncertainReported(t *testing.T) {
	data := map[string]string{
		"MISC":          randomRef,
		"features.yaml": "features:\n  beta: true\n  partner_ref: " + randomRef + "\n",
		"SENTRY_DSN":    "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234",
		"flags.json":    `{"flags": {"checkout": {"key": "checkout", "on": true, "salt": "Qk9bUqW0hGx7zYWJ", "variations": [true, false], "fallthrough": {"variation": 0}}}}`,
	}
	binary := map[string][]byte{"model.bin": []byte(noise(512)), "broken.tgz": []byte("\x1f\x8b\x08\x00garbage"), "logo.png": []byte(tinyPNG())}
	in := PlainInput{Keyring: testKeyring(9)}
	out, outBinary, rep := ConfigMap("app", data, binary, in)
	want := []Uncertain{
		{Key: "MISC", Decision: UncertainReplaced, Reason: ReasonRandomOnly},
		{Key: "SENTRY_DSN", Decision: UncertainKept, Reason: ReasonPublicByDesign},
		{Key: "features.yaml", Path: "features.partner_ref", Decision: UncertainReplaced, Reason: ReasonRandomOnly},
		{Key: "flags.json", Path: "flags.checkout.salt", Decision: UncertainKept, Reason: ReasonFlagBucketing},
		{Key: "broken.tgz", Decision: UncertainReplaced, Reason: ReasonPayloadUnreadable + ": gzip, unexpected EOF"},
		{Key: "model.bin", Decision: UncertainKept, Reason: ReasonBinaryUnread},
	}
	if !slices.Equal(rep.Uncertain, want) {
		t.Errorf("uncertain:\n got %v\nwant %v", rep.Uncertain, want)
	}
	if out["MISC"] == randomRef || out["SENTRY_DSN"] != data["SENTRY_DSN"] || out["flags.json"] != data["flags.json"] {
		t.Errorf("decisions: %q", out)
	}
	if gzipValid(string(outBinary["broken.tgz"])) != nil || string(outBinary["model.bin"]) != string(binary["model.bin"]) {
		t.Error("an unreadable archive must become an empty valid one, unread binary must stay")
	}

	// The user keeps the random values with the rules the report names: they are copied, and
	// no longer reported; the rest of the file is still scrubbed.
	in.KeepPlain = []v1alpha1.PlainValueRule{{ConfigMap: "app", Key: want[0].KeepKey()}, {ConfigMap: "app", Key: want[2].KeepKey()}}
	doc := data["features.yaml"] + "  password: hunter2hunter2\n"
	out, _, rep = ConfigMap("app", map[string]string{"MISC": randomRef, "features.yaml": doc}, nil, in)
	if out["MISC"] != randomRef || !strings.Contains(out["features.yaml"], randomRef) || strings.Contains(out["features.yaml"], "hunter2") || len(rep.Uncertain) != 0 {
		t.Errorf("kept by rule: %q, report %v", out, rep.Uncertain)
	}
	if want[2].KeepKey() != "features.yaml#features.partner_ref" || want[4].KeepKey() != "broken.tgz" {
		t.Errorf("keep keys: %q %q", want[2].KeepKey(), want[4].KeepKey())
	}

	// Strict mode replaces what is kept on judgment, but not a known medium.
	in = PlainInput{Keyring: testKeyring(9), Mode: PlainStrict}
	out, outBinary, _ = ConfigMap("app", data, binary, in)
	if out["SENTRY_DSN"] == data["SENTRY_DSN"] || out["flags.json"] == data["flags.json"] ||
		string(outBinary["model.bin"]) == string(binary["model.bin"]) || string(outBinary["logo.png"]) != string(binary["logo.png"]) {
		t.Errorf("Strict kept a judgment call or replaced an image: %q", out)
	}
}

// TestUncertainFromEnvArgsLabels: the other scrub calls report the same way.
func TestUncertainFromEnvArgsLabels(t *testing.T) {
	in := PlainInput{Keyring: testKeyring(9)}
	_, rep := Env("api", "app", []corev1.EnvVar{{Name: "PARTNER_REF", Value: randomRef}, {Name: "LOG_LEVEL", Value: "info"}}, in)
	if want := []Uncertain{{Key: "PARTNER_REF", Decision: UncertainReplaced, Reason: ReasonRandomOnly}}; !slices.Equal(rep.Uncertain, want) {
		t.Errorf("env: %v", rep.Uncertain)
	}
	argv := []string{"/app", "--port=8080", randomRef}
	_, rep = Args("api", "app", argv, in)
	if want := []Uncertain{{Key: "args[2]", Decision: UncertainReplaced, Reason: ReasonRandomOnly}}; !slices.Equal(rep.Uncertain, want) {
		t.Errorf("args: %v", rep.Uncertain)
	}
	kept := PlainInput{Keyring: in.Keyring, KeepPlain: []v1alpha1.PlainValueRule{{Workload: "api", Key: rep.Uncertain[0].KeepKey()}}}
	if out, rep := Args("api", "app", argv, kept); out[2] != randomRef || len(rep.Uncertain) != 0 {
		t.Errorf("an argument kept by its index: %q %v", out, rep.Uncertain)
	}
	_, rep = Labels("api", map[string]string{"build-ref": randomRef, "app": "api"}, in)
	if want := []Uncertain{{Key: "build-ref", Decision: UncertainReplaced, Reason: ReasonRandomOnly}}; !slices.Equal(rep.Uncertain, want) {
		t.Errorf("labels: %v", rep.Uncertain)
	}
}

// TestUncertainBounded: a report lists at most maxUncertain values and counts the others.
func TestUncertainBounded(t *testing.T) {
	data := map[string]string{}
	for i := range 100 {
		data[fmt.Sprintf("REF_%03d", i)] = fmt.Sprintf("%s%03d", randomRef, i)
	}
	_, _, rep := ConfigMap("app", data, nil, PlainInput{Keyring: testKeyring(9)})
	if len(rep.Uncertain) != maxUncertain || rep.UncertainOmitted != 100-maxUncertain {
		t.Errorf("listed %d, omitted %d", len(rep.Uncertain), rep.UncertainOmitted)
	}
}

// TestLabels: what Labels replaces and keeps, and that a stand-in is the same for every object
// (selectors keep matching).
func TestLabels(t *testing.T) {
	in := PlainInput{Keyring: testKeyring(5)}
	labels := map[string]string{
		"app": "api", "pod-template-hash": "7d4b9c8f6", "git-sha": "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
		"secret-store": "vault", "token-rotation": "enabled", "api-token": "harbor1000violet",
		"ci-bot": "glpat-7ctL8IshJc54IQRq9CoE", "build-ref": randomRef, "cluster-id": randomRef,
	}
	out, rep := Labels("api", labels, in)
	for _, k := range []string{"app", "pod-template-hash", "git-sha", "secret-store", "token-rotation", "cluster-id"} {
		if out[k] != labels[k] {
			t.Errorf("%s changed to %q", k, out[k])
		}
	}
	for _, k := range []string{"api-token", "ci-bot", "build-ref"} {
		if out[k] == labels[k] || !labelValue.MatchString(out[k]) || len(out[k]) > 63 {
			t.Errorf("%s = %q", k, out[k])
		}
	}
	if !slices.Equal(rep.Keys, []string{"api-token", "build-ref", "ci-bot"}) {
		t.Errorf("report keys %v", rep.Keys)
	}
	other, _ := Labels("worker", map[string]string{"api-token": "another1000value"}, in)
	if other["api-token"] != out["api-token"] {
		t.Error("the stand-in differs between objects: a selector would stop matching")
	}
	if kept, _ := Labels("api", map[string]string{"api-token": "harbor1000violet"}, PlainInput{Keyring: in.Keyring,
		KeepPlain: []v1alpha1.PlainValueRule{{Workload: "api", Key: "api-token"}}}); kept["api-token"] != "harbor1000violet" {
		t.Error("a keepPlain rule does not keep a label")
	}
	if out, _ := Labels("api", nil, in); out != nil {
		t.Error("nil labels")
	}
}
