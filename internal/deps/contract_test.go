package deps

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestArgs(t *testing.T) {
	got := strings.Join(Args(v1alpha1.EngineRabbitMQ, true), " ")
	if got != "probe --engine=rabbitmq --summary-file=/dev/termination-log --definitions" {
		t.Errorf("Args = %q", got)
	}
	if _, err := parseFlags(Args(v1alpha1.EngineRabbitMQ, true)[1:]); err != nil {
		t.Errorf("the command refuses the operator's own arguments: %v", err)
	}
	if _, err := parseFlags([]string{"--engine=memcached"}); err == nil {
		t.Error("an unknown engine is accepted")
	}
}

func TestRedact(t *testing.T) {
	raw := "rediss://user:s3cr%2Ft@cache.example.com:6379/0"
	msg := `dial tcp: lookup cache.example.com: no such host; url "rediss://user:s3cr%2Ft@cache.example.com:6379/0"; AUTH s3cr/t failed; user:s3cr/t`
	got := redact(msg, raw)
	for _, leak := range []string{"s3cr/t", "s3cr%2Ft", "s3cr%2ft"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q holds %q", got, leak)
		}
	}
	if !strings.Contains(got, "cache.example.com") {
		t.Errorf("the host should stay: %q", got)
	}
}

// A probe that fails says why without the credential, in its error and its summary.
func TestProbeFailureHoldsNoCredential(t *testing.T) {
	const secret = "CANARY-probe-password"
	for _, engine := range []v1alpha1.DependencyEngine{v1alpha1.EngineRedis, v1alpha1.EngineRabbitMQ, v1alpha1.EngineOpenSearch, v1alpha1.EngineMySQL} {
		for _, raw := range []string{
			"redis://user:" + secret + "@127.0.0.1:1/0",
			"http://user:" + secret + "@127.0.0.1:1",
			"mysql://user:" + secret + "@127.0.0.1:1/shop",
			"::not a url " + secret,
		} {
			s, err := Probe(context.Background(), Options{Engine: engine}, raw, "")
			if err == nil {
				t.Fatalf("%s %s: no error", engine, raw)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(string(s.Compact()), secret) {
				t.Errorf("%s: the failure shows the credential: %v", engine, err)
			}
			if s.Error == "" {
				t.Errorf("%s: the summary does not say why", engine)
			}
		}
	}
}

// The command writes its summary to stdout and the summary file, and fails when the probe does.
func TestCommand(t *testing.T) {
	file := t.TempDir() + "/summary"
	t.Setenv(EnvSourceURL, "redis://default:CANARY-cmd@127.0.0.1:1")
	var out strings.Builder
	err := Command(context.Background(), []string{"--engine=redis", "--summary-file=" + file, "--timeout=20s"}, &out)
	if err == nil {
		t.Fatal("a probe of nothing succeeded")
	}
	b, rerr := os.ReadFile(file)
	if rerr != nil {
		t.Fatal(rerr)
	}
	s, perr := ParseSummary(b)
	if perr != nil || s.Engine != "redis" || s.Error == "" || strings.TrimSpace(out.String()) != string(b) {
		t.Errorf("summary %q (%v), stdout %q", b, perr, out.String())
	}
	if strings.Contains(string(b), "CANARY-cmd") {
		t.Error("the summary holds the password")
	}
}
