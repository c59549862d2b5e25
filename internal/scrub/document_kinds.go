package scrub

import "strings"

// Some documents (and parts of documents) are recognised by what they are rather than by their
// keys: a public JWK Set, an OpenID Provider's discovery document and a Firebase web
// configuration are published by design; the private members of a JWK are secret whatever
// their one-letter names; a feature flag's salt and seed only bucket users.

// child returns the kid of a mapping with key k (case-insensitive), or nil.
func (n *docNode) child(k string) *docNode {
	for _, c := range n.kids {
		if strings.EqualFold(c.key, k) {
			return c
		}
	}
	return nil
}

// publicNode reports a mapping that is public by design, which the judge leaves whole.
func publicNode(n *docNode) bool {
	if !n.isMap {
		return false
	}
	switch {
	case n.child("kty") != nil:
		return publicJWK(n)
	case n.child("keys") != nil && len(n.kids) == 1:
		return publicKeySet(n.child("keys"))
	case n.child("issuer") != nil && (n.child("jwks_uri") != nil || n.child("authorization_endpoint") != nil):
		return !namesSecretField(n, "") // an OpenID Provider's discovery document, not a client's
	case n.child("apiKey") != nil && n.child("authDomain") != nil && n.child("projectId") != nil:
		k := n.child("apiKey")
		return k.leaf && strings.HasPrefix(k.value, "AIza") && !namesSecretField(n, "apiKey") // a Firebase web configuration
	}
	return false
}

// namesSecretField reports a field of n, other than except, whose key names a credential: then
// n is a client's configuration (clientSecret beside an issuer), not a published document.
func namesSecretField(n *docNode, except string) bool {
	for _, c := range n.kids {
		if c.key != except && IsSensitiveKey(c.key) {
			return true
		}
	}
	return false
}

// publicKeySet reports a list of JWKs none of which has a private member.
func publicKeySet(keys *docNode) bool {
	if keys.leaf || keys.isMap || len(keys.kids) == 0 {
		return false
	}
	for _, k := range keys.kids {
		if !k.isMap || !publicJWK(k) {
			return false
		}
	}
	return true
}

// publicJWK reports a JWK with no private member: its "kty" written as JWK member names are
// (case-sensitive), and no other member whose name says it holds a credential. A mapping that
// only has a key named like "kty" (a properties file's KtY line) beside a password is no JWK.
func publicJWK(n *docNode) bool {
	hasKty := false
	for _, c := range n.kids {
		hasKty = hasKty || (c.key == "kty" && c.leaf)
	}
	return hasKty && !jwkHasPrivate(n) && !namesSecretField(n, "")
}

func jwkHasPrivate(n *docNode) bool {
	for _, m := range privateJWKMembers {
		if c := n.child(m); c != nil && c.key == m {
			return true
		}
	}
	return false
}

// jwkPrivate reports a JWK member that holds private or secret key material.
func jwkPrivate(parent *docNode, key string) bool {
	if !parent.isMap || parent.child("kty") == nil {
		return false
	}
	for _, m := range privateJWKMembers {
		if key == m {
			return true
		}
	}
	return false
}

// flagBuckets are the fields of a feature flag's definition that bucket users into variations:
// LaunchDarkly's salt, GrowthBook's seed and hashAttribute, the flag's own key.
var flagBuckets = map[string]bool{"salt": true, "seed": true, "key": true, "hashattribute": true}

// flagDefinition reports a mapping that defines a feature flag or one of its rules: variations
// with a rollout, fallthrough or rules (LaunchDarkly), or a coverage with a hashAttribute or seed
// (GrowthBook). Their salts and seeds are sent to client SDKs: not secrets.
func flagDefinition(n *docNode) bool {
	if !n.isMap {
		return false
	}
	if n.child("variations") != nil && (n.child("fallthrough") != nil || n.child("rollout") != nil || n.child("rules") != nil || n.child("on") != nil) {
		return true
	}
	return n.child("coverage") != nil && (n.child("hashAttribute") != nil || n.child("seed") != nil)
}

// keepSubtree records every scalar under n as kept by a structural rule.
func (d *docScrubber) keepSubtree(n *docNode) {
	if n.leaf {
		d.sc.keep(n.value)
		return
	}
	for _, k := range n.kids {
		d.keepSubtree(k)
	}
}
