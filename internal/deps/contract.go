package deps

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// The contract between the operator and `manager probe`, which it runs as short-lived Jobs in
// its own namespace: the environment variables that carry the URLs (from a Secret there, never
// from the copy's namespace), the flags, and the summary the Job leaves in its termination log.
const (
	// EnvSourceURL holds the URL of prod's service with read-only credentials.
	EnvSourceURL = "ENVMIRROR_PROBE_SOURCE_URL"
	// EnvTargetURL holds the URL of the stand-in, for --definitions.
	EnvTargetURL = "ENVMIRROR_PROBE_TARGET_URL"
	// EnvCABundle holds the CA bundle (PEM) prod's certificate is signed with, when it is not a
	// public CA's (versionFrom.caSecretRef): RDS, Aurora, Cloud SQL.
	EnvCABundle = "ENVMIRROR_PROBE_CA_BUNDLE"
	// MaxSummaryBytes is what a container's termination message holds.
	MaxSummaryBytes = 4096
	// SummaryFile is where the Job's container writes its summary.
	SummaryFile = "/dev/termination-log"
)

// Args are the arguments of the probe Job's container: read prod's version, or (definitions)
// also copy prod's definitions into the stand-in.
func Args(engine v1alpha1.DependencyEngine, definitions bool) []string {
	args := []string{"probe", "--engine=" + string(engine), "--summary-file=" + SummaryFile}
	if definitions {
		args = append(args, "--definitions")
	}
	return args
}

// Summary is what a probe found. It holds no credential and no value read from prod's data:
// a version, a distribution, a database name, and counts of the definitions copied.
type Summary struct {
	Engine string `json:"engine"`
	// Version is prod's version as the server reports it ("7.0.15", "8.0.mysql_aurora.3.05.2").
	Version string `json:"version,omitempty"`
	// Distribution is the server's own name for itself: redis, valkey, rabbitmq, elasticsearch,
	// opensearch, mysql, aurora-mysql, mariadb.
	Distribution string `json:"distribution,omitempty"`
	// Database is prod's database (MySQL: the path of the URL).
	Database string `json:"database,omitempty"`
	// Extensions are prod's PostgreSQL extensions (pg_extension's names and versions), which
	// choose the stand-in's image.
	Extensions []contract.Extension `json:"extensions,omitempty"`
	// ExtensionsCut is set when the list did not fit the summary and was cut.
	ExtensionsCut bool `json:"extensionsCut,omitempty"`
	// Definitions says what was copied into the stand-in, with --definitions.
	Definitions string `json:"definitions,omitempty"`
	Error       string `json:"error,omitempty"`
}

// ParseSummary decodes a summary written by Compact.
func ParseSummary(b []byte) (Summary, error) {
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return Summary{}, fmt.Errorf("probe summary: %w", err)
	}
	return s, nil
}

// Compact encodes the summary in at most MaxSummaryBytes, shortening the longest text.
func (s Summary) Compact() []byte {
	s.Extensions = append([]contract.Extension(nil), s.Extensions...) // shortened below: the caller's stays
	b, _ := json.Marshal(s)                                           // strings and booleans only
	for len(b) > MaxSummaryBytes {
		over := len(b) - MaxSummaryBytes + 16
		switch {
		case len(s.Error) > len("…"):
			s.Error = cut(s.Error, len(s.Error)-over)
		case len(s.Definitions) > len("…"):
			s.Definitions = cut(s.Definitions, len(s.Definitions)-over)
		case hasExtensionVersions(s.Extensions):
			for i := range s.Extensions {
				s.Extensions[i].Version = ""
			}
		case len(s.Extensions) > 0:
			s.Extensions, s.ExtensionsCut = s.Extensions[:len(s.Extensions)/2], true
		default:
			s.Version = cut(s.Version, 64)
			s.Database = cut(s.Database, 64)
			s.Distribution = cut(s.Distribution, 64)
		}
		b, _ = json.Marshal(s)
	}
	return b
}

func hasExtensionVersions(exts []contract.Extension) bool {
	for _, e := range exts {
		if e.Version != "" {
			return true
		}
	}
	return false
}

// cut shortens s to at most n bytes on a rune boundary, marking the cut.
func cut(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
