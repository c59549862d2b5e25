package scrub

// keyKinds, before a last word "key", name a database or data-structure key (or a keyboard's),
// not a credential: DYNAMODB_PARTITION_KEY, SORT_KEY, CACHE_KEY, ROUTING_KEY, detachKeys.
var keyKinds = map[string]bool{
	"partition": true, "sort": true, "primary": true, "foreign": true, "hash": true, "range": true,
	"cache": true, "routing": true, "shard": true, "idempotency": true, "lookup": true,
	"object": true, "row": true, "composite": true, "natural": true, "surrogate": true,
	"dedup": true, "dedupe": true, "group": true, "cluster": true, "translation": true,
	"i18n": true, "message": true, "label": true, "feature": true, "metric": true, "sequence": true,
	"index": true, "unique": true, "join": true, "s3": true,
	// Keys of a keyboard: Docker's detachKeys (ctrl-p,ctrl-q), shortcut keys.
	"detach": true, "shortcut": true,
}

// dataKeyName reports a key named as a data-structure key (routing_key, CACHE_KEY; see keyKinds):
// usually a name or a pattern, but some consumers use the name for a credential (PagerDuty's
// routing_key is an integration key). Its value decides.
func dataKeyName(key string) bool {
	w := stripVersion(keyWords(key))
	n := len(w)
	return n > 1 && (w[n-1] == "key" || w[n-1] == "keys") && keyKinds[w[n-2]]
}

// randomKeyValue reports a value no data-structure key has: a random token, or a hex string as
// long as a 128-bit key. Routes, attribute names and templates (orders.created, customer_id,
// user:{id}) are words.
func randomKeyValue(t string) bool {
	return looksRandom(t) || (isHex(t) && len(t) >= 32)
}
