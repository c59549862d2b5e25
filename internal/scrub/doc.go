// Package scrub turns prod configuration into the copy's: Secrets by shape only (same names,
// types and keys, values generated, taken from dev Secrets, rendered from templates, or kept by
// explicit per-key opt-in), and plain values (ConfigMaps, env, args) with references to the source
// namespace rewritten and anything that looks like a credential replaced.
//
// Everything here is a pure function of its inputs: no Kubernetes client calls, no clocks (the
// caller passes Now), no global state. Inputs are never mutated.
//
// The invariant the package exists for: no byte of a prod Secret value reaches the copy unless a
// Keep rule names that key. Plain values are scrubbed on a best-effort, fail-closed basis: a value
// is replaced whenever its key or its surroundings look sensitive, because a false positive only
// costs a generated value while a false negative leaks a credential.
//
// Generated values come from a Keyring (HMAC-SHA256 over a scope such as secret/name/key), so
// they are stable for the environment's life and differ between environments. They are never
// derived from prod values: anyone who can read the copy can read its keyring, and a keyed hash of
// a prod password would let them test guesses of it offline.
package scrub
