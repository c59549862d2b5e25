package scrub

// runLabel copies a label value as the operator should: through Labels.
func runLabel(key, value string, in PlainInput) string {
	out, _ := Labels("api", map[string]string{key: value}, in)
	return out[key]
}
