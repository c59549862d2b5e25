package contract

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// MaxSummaryBytes is what a container's termination message holds.
const MaxSummaryBytes = 4096

// Summary is the result of a seeding run. The Job prints it as its last stdout line and writes its
// compact form to the termination log, where the operator reads it into status.
type Summary struct {
	Tables          int            `json:"tables"`
	Rows            int64          `json:"rows"`
	DurationSeconds float64        `json:"durationSeconds"`
	RowsPerSecond   int64          `json:"rowsPerSecond"`
	PerTable        []TableSummary `json:"perTable,omitempty"`
	Error           string         `json:"error,omitempty"`
}

// TableSummary is one table's share of a seeding run.
type TableSummary struct {
	Table   string  `json:"table"`
	Rows    int64   `json:"rows"`
	Seconds float64 `json:"seconds"`
}

// ParseSummary decodes a summary written by Compact (or a Summary line from stdout).
func ParseSummary(b []byte) (Summary, error) {
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return Summary{}, fmt.Errorf("seed summary: %w", err)
	}
	return s, nil
}

// Compact encodes the summary in at most MaxSummaryBytes: the per-table list goes first when it
// does not fit, then the error message is shortened.
func (s Summary) Compact() []byte {
	b := mustMarshal(s)
	if len(b) <= MaxSummaryBytes {
		return b
	}
	s.PerTable = nil
	b = mustMarshal(s)
	for len(b) > MaxSummaryBytes && s.Error != "" {
		over := len(b) - MaxSummaryBytes
		// JSON escaping can make each byte of the message cost up to six: cut generously.
		cut := len(s.Error) - over - 16
		if cut < 0 {
			cut = 0
		}
		for cut > 0 && !utf8.RuneStart(s.Error[cut]) {
			cut--
		}
		s.Error = s.Error[:cut] + "…"
		if cut == 0 {
			s.Error = "…"
		}
		b = mustMarshal(s)
		if cut == 0 {
			break
		}
	}
	return b
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
