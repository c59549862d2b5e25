// Package scrub turns prod configuration into the copy's: Secrets by shape only (same names,
// types and keys, values generated, taken from dev Secrets, rendered from templates, or kept by
// explicit per-key opt-in), and plain values (ConfigMaps, env, args, annotations, labels) with
// references to the source namespace rewritten and anything that looks like a credential replaced.
//
// Everything here is a pure function of its inputs: no Kubernetes client calls, no clocks (the
// caller passes Now), no global state but the rule set loaded once from gitleaks. Inputs are
// never mutated (Sweep.Object sweeps the object it is given, in place, by design).
//
// The invariant the package exists for: no byte of a prod Secret value reaches the copy unless a
// Keep rule names that key. It holds in two layers:
//
//   - Recognition (ConfigMap, Env, Args, Labels): a plain value is replaced when its key, its place
//     in a file (path, parent, siblings), the command that takes it, a maintained rule (gitleaks'
//     rule set) or its randomness says it is a credential. Files of a known shape are parsed
//     (JSON, YAML, TOML, XML, HCL, shell, INI, properties, .env, directive files, htpasswd,
//     pgbouncer, .pgpass, .curlrc, .netrc) and edited in place; the text scanner (one pass per
//     file: pass_*.go) runs over everything, including readings that need no key = value
//     separator (Oracle user/password@host, SQL PASSWORD '...', literals compared with
//     credential variables, tokens in URL paths). Payloads are opened first (payload*.go):
//     UTF-16 and single-byte text, gzip, tar and zip archives, base64 documents.
//     A key is not enough either way: what a value is decides too. Public key material,
//     config-provider references, policies and identifiers stay (public.go, indirect.go,
//     harmless.go); public client configuration and flag salts stay on judgment. Fail-closed: a
//     false positive only costs a generated value. Strict mode also replaces every value not
//     proven harmless, and what is kept on judgment.
//   - The known-value sweep (Sweep): every value of every prod Secret, and its parts, is looked
//     for in every string of every object of the copy, as is and transformed (case, hex, base64,
//     URL, JSON, YAML, shell, XML and HTML escaping, line folding: see Sweep), and replaced. This
//     makes the invariant hold by construction for values the operator read, whatever the
//     recognition layer missed. What it does not look for is listed, with reasons, in
//     sweep_exempt.go.
//
// Decisions taken without a rule that makes them sure (replaced only because a value looks
// random, kept as public by design, binary copied unread, archives replaced whole) come out of
// the scrub calls as PlainReport.Uncertain (uncertain.go), for the operator to show in status.
//
// Generated values come from a Keyring (HMAC-SHA256 over a scope such as secret/name/key), so
// they are stable for the environment's life and differ between environments. They are never
// derived from prod values: anyone who can read the copy can read its keyring, and a keyed hash of
// a prod password would let them test guesses of it offline.
//
// The corpus (corpus*_test.go) measures recall and precision per kind of shape:
// go test ./internal/scrub -run TestCorpusReport -v.
package scrub
