package main

import (
	"slices"
	"testing"
)

func TestWithFirstSteps(t *testing.T) {
	tests := []struct {
		steps []int
		prods int
		want  []int
	}{
		{[]int{20, 100}, 3, []int{1, 3, 20, 100}},
		{[]int{100, 1000}, 1, []int{1, 100, 1000}},
		{[]int{1, 3, 50}, 3, []int{1, 3, 50}},
		{[]int{2, 50}, 3, []int{1, 3, 50}}, // 2 is below the first of each prod
		{[]int{3}, 3, []int{1, 3}},
	}
	for _, tt := range tests {
		if got := withFirstSteps(tt.steps, tt.prods); !slices.Equal(got, tt.want) {
			t.Errorf("withFirstSteps(%v, %d) = %v, want %v", tt.steps, tt.prods, got, tt.want)
		}
	}
}
