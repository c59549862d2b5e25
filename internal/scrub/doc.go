// Package scrub turns prod configuration into the copy's: Secrets by shape only (same names,
// types and keys, values generated, taken from dev Secrets, rendered from templates, or kept by
// explicit per-key opt-in), and plain values (ConfigMaps, env, args, annotations) with references
// to the source namespace rewritten and anything that looks like a credential replaced.
//
// Everything here is a pure function of its inputs: no Kubernetes client calls, no clocks (the
// caller passes Now), no global state but the rule set loaded once from gitleaks. Inputs are
// never mutated (Sweep.Object sweeps the object it is given, in place, by design).
//
// The invariant the package exists for: no byte of a prod Secret value reaches the copy unless a
// Keep rule names that key. It holds in two layers:
//
//   - Recognition (ConfigMap, Env, Args): a plain value is replaced when its key, its place in a
//     file (path, parent, siblings), the command that takes it, a maintained rule (gitleaks'
//     rule set) or its randomness says it is a credential. Files of a known shape are parsed
//     (JSON, YAML, TOML, XML, shell, INI, properties, .env, directive files, htpasswd, pgbouncer)
//     and edited in place; the text scanner (one pass per file: pass_*.go) runs over everything.
//     Fail-closed: a false positive only costs a generated value. Strict mode also replaces
//     every value not proven harmless.
//   - The known-value sweep (Sweep): every value of every prod Secret, and its parts, is looked
//     for in every string of every object of the copy, plain and encoded, and replaced. This
//     makes the invariant hold by construction for values the operator read, whatever the
//     recognition layer missed.
//
// Generated values come from a Keyring (HMAC-SHA256 over a scope such as secret/name/key), so
// they are stable for the environment's life and differ between environments. They are never
// derived from prod values: anyone who can read the copy can read its keyring, and a keyed hash of
// a prod password would let them test guesses of it offline.
package scrub
