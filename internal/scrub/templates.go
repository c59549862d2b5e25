package scrub

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// cycleError is a template reference cycle; every key on it reports the same chain.
type cycleError struct{ chain []ref }

func (e *cycleError) Error() string {
	parts := make([]string, len(e.chain))
	for i, r := range e.chain {
		parts[i] = r.String()
	}
	return "template reference cycle: " + strings.Join(parts, " -> ")
}

// canonicalCycle closes the cycle of keys, rotated to start at the smallest, so every key on it
// reports the same chain whichever was resolved first.
func canonicalCycle(keys []ref) []ref {
	start := 0
	for i, r := range keys {
		if r.String() < keys[start].String() {
			start = i
		}
	}
	chain := append(slices.Clone(keys[start:]), keys[:start]...)
	return append(chain, chain[0])
}

func (e *cycleError) has(r ref) bool { return slices.Contains(e.chain, r) }

// depError says a template's reference failed; the referenced key reports why.
type depError struct{ dep ref }

func (e *depError) Error() string {
	return fmt.Sprintf("the template uses secret %s key %s, which could not be produced (see its error)", e.dep.secret, e.dep.key)
}

// render executes a template rule.
func (rv *resolver) render(r ref, rl *rule) resolved {
	rv.taint = append(rv.taint, false)
	var buf bytes.Buffer
	err := rl.tmpl.Execute(&limitedWriter{w: &buf, n: maxTemplateOutput}, rv.in.Data)
	kept := rv.taint[len(rv.taint)-1]
	rv.taint = rv.taint[:len(rv.taint)-1]
	if err != nil {
		return resolved{err: templateError(err)}
	}
	return resolved{val: buf.Bytes(), origin: fromTemplate, kept: kept}
}

// templateError reduces a template execution error to what the user must fix: the cycle this key
// is on, the failing reference (both made by secretFunc), or text/template's own message.
func templateError(err error) error {
	var ce *cycleError
	var de *depError
	var me *missingRefError
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &de):
		return de
	case errors.As(err, &me):
		return me
	}
	return fmt.Errorf("template: %v", err)
}

// missingRefError is a template reference to a Secret or key the copy does not have.
type missingRefError struct{ msg string }

func (e *missingRefError) Error() string { return "the template references " + e.msg }

// secretFunc is the templates' `secret "name" "key"`. It runs while the key whose template it is
// sits on top of rv.stack.
func (rv *resolver) secretFunc(name, key string) (string, error) {
	if _, isProd := rv.prod[name]; !isProd {
		if vals, ok := rv.in.Extra[name]; ok {
			if v, ok := vals[key]; ok {
				return string(v), nil
			}
			return "", &missingRefError{msg: fmt.Sprintf("secret %q key %q: the copy's %s has no key %s (keys: %s)", name, key, name, key, strings.Join(sortedKeys(vals), ", "))}
		}
	}
	r := ref{name, key}
	res := rv.resolve(r)
	if res.err != nil {
		caller := rv.stack[len(rv.stack)-1]
		var ce *cycleError
		if errors.As(res.err, &ce) && ce.has(caller) {
			return "", ce
		}
		if sec, ok := rv.prod[name]; !ok || skipped(sec) || !hasKey(sec, key) {
			return "", &missingRefError{msg: fmt.Sprintf("secret %q key %q: %v", name, key, res.err)}
		}
		return "", &depError{dep: r}
	}
	if res.kept && len(rv.taint) > 0 {
		rv.taint[len(rv.taint)-1] = true
	}
	return string(res.val), nil
}

func hasKey(s *corev1.Secret, key string) bool {
	_, ok := s.Data[key]
	return ok
}

// unmatched lists the rules that name no copied prod Secret or key.
func (rv *resolver) unmatched() []string {
	var out []string
	for _, r := range rv.rules {
		sec, ok := rv.prod[r.spec.Secret]
		switch {
		case !ok || skipped(sec):
		case r.spec.Key == "":
			continue
		case hasKey(sec, r.spec.Key):
			continue
		}
		if r.spec.Key == "" {
			out = append(out, r.spec.Secret)
		} else {
			out = append(out, r.spec.Secret+"/"+r.spec.Key)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// limitedWriter fails once more than n bytes are written.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, fmt.Errorf("the template's output exceeds %d bytes", l.n)
	}
	return l.w.Write(p)
}
