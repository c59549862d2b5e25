package v1alpha1

// KeyOr returns the selected key, or def when the reference leaves it to its default.
func (r SecretKeyRef) KeyOr(def string) string {
	if r.Key == "" {
		return def
	}
	return r.Key
}

// KeyOr returns the selected key, or def when the reference leaves it to its default.
func (r ConfigMapKeyRef) KeyOr(def string) string {
	if r.Key == "" {
		return def
	}
	return r.Key
}
