package pgexpr

import (
	"reflect"
	"testing"
)

func TestParsePartitionBound(t *testing.T) {
	tests := []struct {
		in   string
		want Bound
	}{
		{"FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-07-01 00:00:00+00')", Bound{
			From: []BoundValue{{Text: "2024-01-01 00:00:00+00", IsString: true}},
			To:   []BoundValue{{Text: "2024-07-01 00:00:00+00", IsString: true}}}},
		{"FOR VALUES FROM (MINVALUE, 0) TO (10, MAXVALUE)", Bound{
			From: []BoundValue{{MinValue: true}, {Text: "0"}},
			To:   []BoundValue{{Text: "10"}, {MaxValue: true}}}},
		{"FOR VALUES IN ('eu', 'us', NULL)", Bound{
			In: []BoundValue{{Text: "eu", IsString: true}, {Text: "us", IsString: true}, {Null: true}}}},
		{"FOR VALUES WITH (modulus 4, remainder 1)", Bound{Hash: true}},
		{"DEFAULT", Bound{IsDefault: true}},
	}
	for _, tt := range tests {
		got, err := ParseBound(tt.in)
		if err != nil {
			t.Fatalf("parsePartitionBound(%q): %v", tt.in, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parsePartitionBound(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
