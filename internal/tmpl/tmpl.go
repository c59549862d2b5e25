// Package tmpl renders the small Go templates users put in a MirrorEnvironment (ingress hosts,
// ingress annotations, Secret values) with bounds on what they may cost. A spec is user input
// to a shared operator: a template must not be able to loop for minutes ({{range 1000000000}})
// or allocate gigabytes ({{printf "%0999999999d" 1}}), so rendering allows only what these
// templates need — fields, pipelines, if/else and a few functions — and caps the output.
package tmpl

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"
)

// MaxOutput is the most a template may write.
const MaxOutput = 64 << 10

// ErrTooLong is returned when a template writes more than MaxOutput bytes.
var ErrTooLong = fmt.Errorf("the template writes more than %d bytes", MaxOutput)

// Parse parses text as a template whose functions are funcs (plus bounded printf, print, lower,
// upper, trimSuffix, trimPrefix, replace) and refuses the constructs that can loop or recurse:
// range, template, block and define.
func Parse(name, text string, funcs template.FuncMap) (*template.Template, error) {
	all := template.FuncMap{
		"printf":     boundedSprintf,
		"print":      fmt.Sprint,
		"println":    fmt.Sprintln,
		"lower":      strings.ToLower,
		"upper":      strings.ToUpper,
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
	}
	for k, v := range funcs {
		all[k] = v
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(all).Parse(text)
	if err != nil {
		return nil, err
	}
	for _, tree := range t.Templates() {
		if tree.Name() != name {
			return nil, fmt.Errorf("defining templates ({{define %q}}) is not supported", tree.Name())
		}
		if err := check(tree.Tree.Root); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Render parses and executes a template in one step.
func Render(name, text string, funcs template.FuncMap, data any) (string, error) {
	t, err := Parse(name, text, funcs)
	if err != nil {
		return "", err
	}
	return Execute(t, data)
}

// Execute runs a template parsed by Parse, stopping at MaxOutput bytes.
func Execute(t *template.Template, data any) (string, error) {
	var w limitedWriter
	if err := t.Execute(&w, data); err != nil {
		if errors.Is(err, ErrTooLong) {
			return "", ErrTooLong
		}
		return "", err
	}
	return w.buf.String(), nil
}

// check walks a parse tree and refuses loops and template calls.
func check(n parse.Node) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := check(c); err != nil {
				return err
			}
		}
	case *parse.RangeNode:
		return errors.New("{{range}} is not supported in these templates")
	case *parse.TemplateNode:
		return errors.New("{{template}} and {{block}} are not supported in these templates")
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	if err := check(b.List); err != nil {
		return err
	}
	return check(b.ElseList)
}

// verbWidth finds the width and precision of printf verbs.
var verbWidth = regexp.MustCompile(`%[-+# 0]*(\*|[0-9]+)?(\.(\*|[0-9]+))?`)

// boundedSprintf is fmt.Sprintf with widths and precisions of at most 3 digits and no '*'.
func boundedSprintf(format string, args ...any) (string, error) {
	for _, m := range verbWidth.FindAllStringSubmatch(format, -1) {
		for _, n := range []string{m[1], m[3]} {
			if n == "*" || len(n) > 3 {
				return "", fmt.Errorf("printf width or precision %q is not supported (at most 999)", n)
			}
		}
	}
	return fmt.Sprintf(format, args...), nil
}

type limitedWriter struct{ buf bytes.Buffer }

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > MaxOutput {
		return 0, ErrTooLong
	}
	return w.buf.Write(p)
}
