package seed

import "github.com/envmirror/envmirror/internal/seed/contract"

// The operator used these names from this package before the contract moved to its own package
// (internal/seed/contract). They stay as aliases until it imports contract directly.

// Spec is contract.Spec.
//
// Deprecated: use contract.Spec.
type Spec = contract.Spec

// Summary is contract.Summary.
//
// Deprecated: use contract.Summary.
type Summary = contract.Summary

// SpecEnv is contract.SpecEnv.
//
// Deprecated: use contract.SpecEnv.
const SpecEnv = contract.SpecEnv

// ParseSummary is contract.ParseSummary.
//
// Deprecated: use contract.ParseSummary.
func ParseSummary(b []byte) (Summary, error) { return contract.ParseSummary(b) }
