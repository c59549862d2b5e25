package contract

import (
	"encoding/json"
	"fmt"
	"sort"
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
	// Error is the failure in words; Reason is its kind (one of the Reason constants).
	Error  string `json:"error,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Warnings counts what the plan could not honour (each is a "warning" line on stdout).
	Warnings int `json:"warnings,omitempty"`
	// PartitionsCreated are the partitions seeding created in the copy (never in prod) for
	// partitioned tables the schema has without partitions (prod's application creates them at
	// run time): "schema.partition of schema.table (DEFAULT)". Compact may cut the list;
	// PartitionsCreatedCount keeps the number.
	PartitionsCreated      []string `json:"partitionsCreated,omitempty"`
	PartitionsCreatedCount int      `json:"partitionsCreatedCount,omitempty"`
}

// TableSummary is one table's share of a seeding run.
type TableSummary struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	// ProdRows is prod's estimated row count of the table, when the schema Job copied it.
	ProdRows *int64  `json:"prodRows,omitempty"`
	Seconds  float64 `json:"seconds"`
}

// ParseSummary decodes a summary written by Compact (or a Summary line from stdout).
func ParseSummary(b []byte) (Summary, error) {
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return Summary{}, fmt.Errorf("seed summary: %w", err)
	}
	return s, nil
}

// Compact encodes the summary in at most MaxSummaryBytes: the per-table list keeps the biggest
// tables (by rows, then by prod rows) and drops the smallest when it does not fit, then the error
// message is shortened.
func (s Summary) Compact() []byte {
	s.PerTable = append([]TableSummary(nil), s.PerTable...)
	sort.SliceStable(s.PerTable, func(i, j int) bool {
		a, b := s.PerTable[i], s.PerTable[j]
		if a.Rows != b.Rows {
			return a.Rows > b.Rows
		}
		return prodRows(a) > prodRows(b)
	})
	b := mustMarshal(s)
	for len(b) > MaxSummaryBytes && len(s.PartitionsCreated) > 3 {
		s.PartitionsCreated = s.PartitionsCreated[:len(s.PartitionsCreated)/2]
		b = mustMarshal(s)
	}
	for len(b) > MaxSummaryBytes && len(s.PerTable) > 0 {
		// Drop about as many entries as the excess holds, then adjust one by one.
		avg := max(len(b)/(len(s.PerTable)+1), 1)
		drop := min(len(s.PerTable), max(1, (len(b)-MaxSummaryBytes)/avg))
		s.PerTable = s.PerTable[:len(s.PerTable)-drop]
		if len(s.PerTable) == 0 {
			s.PerTable = nil
		}
		b = mustMarshal(s)
	}
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

func prodRows(t TableSummary) int64 {
	if t.ProdRows == nil {
		return -1
	}
	return *t.ProdRows
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
