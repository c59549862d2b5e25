// Package tmpl renders the small Go templates users put in a MirrorEnvironment (ingress hosts,
// ingress annotations, Secret values) with bounds on what they may cost. A spec is user input
// to a shared operator: a template must not be able to loop for minutes ({{range 1000000000}})
// or allocate gigabytes ({{printf "%0999999999d" 1}}), so rendering allows only what these
// templates need — fields, pipelines, if/else and a few functions — and caps the output. Without
// loops a template can still grow a value exponentially ({{ $x = print $x $x }} repeated, or
// nested replace), so every function refuses to build a value longer than MaxOutput: a template
// of n characters then allocates at most a few times n × MaxOutput.
package tmpl

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
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
		"print":      growing(fmt.Sprint, 1),
		"println":    growing(fmt.Sprintln, 1),
		"lower":      func(s string) (string, error) { return bounded(strings.ToLower(s)) },
		"upper":      func(s string) (string, error) { return bounded(strings.ToUpper(s)) },
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"replace":    boundedReplace,
		// text/template's own escapers grow a value up to sixfold.
		"html":     growing(template.HTMLEscaper, 6),
		"js":       growing(template.JSEscaper, 6),
		"urlquery": growing(template.URLQueryEscaper, 6),
	}
	for k, v := range funcs {
		all[k] = v
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(all).Parse(text)
	if err != nil {
		return nil, err
	}
	// Defined templates first, in name order: the same text always gives the same message
	// (t.Templates() is in map order).
	var defined []string
	for _, tree := range t.Templates() {
		if tree.Name() != name {
			defined = append(defined, tree.Name())
		}
	}
	if len(defined) > 0 {
		sort.Strings(defined)
		return nil, fmt.Errorf("defining templates ({{define %q}}) is not supported", defined[0])
	}
	if err := check(t.Tree.Root); err != nil {
		return nil, err
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

// ErrValueTooLong is returned when a function of a template would build a value longer than
// MaxOutput bytes.
var ErrValueTooLong = fmt.Errorf("a value in the template would be longer than %d bytes", MaxOutput)

// bounded refuses a value longer than MaxOutput.
func bounded(s string) (string, error) {
	if len(s) > MaxOutput {
		return "", ErrValueTooLong
	}
	return s, nil
}

// argsLen is the length of what fmt prints for args, counting strings without printing them.
func argsLen(args []any) int {
	n := 0
	for _, a := range args {
		if s, ok := a.(string); ok {
			n += len(s)
		} else {
			n += len(fmt.Sprint(a))
		}
	}
	return n
}

// growing bounds a function whose result is at most factor times as long as its arguments (plus
// a separator each): it refuses arguments that would give more than MaxOutput before calling it.
func growing(f func(...any) string, factor int) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		if factor*(argsLen(args)+len(args)) > MaxOutput {
			return "", ErrValueTooLong
		}
		return f(args...), nil
	}
}

// boundedReplace is strings.ReplaceAll that computes the result's length before building it.
func boundedReplace(old, new, s string) (string, error) {
	n := strings.Count(s, old) // for an empty old: one more than the runes of s
	if len(s)+n*(len(new)-len(old)) > MaxOutput {
		return "", ErrValueTooLong
	}
	return strings.ReplaceAll(s, old, new), nil
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

// boundedSprintf is fmt.Sprintf with widths and precisions of at most 3 digits and no '*', and
// no explicit argument indexes (which would let one argument be printed by every verb). Each
// argument is then printed once, at most ten times as long as it is (%q, %x), and each verb pads
// to at most 999 bytes: the result's length is bounded before it is built.
func boundedSprintf(format string, args ...any) (string, error) {
	verbs := verbWidth.FindAllStringSubmatch(format, -1)
	for _, m := range verbs {
		for _, n := range []string{m[1], m[3]} {
			if n == "*" || len(n) > 3 {
				return "", fmt.Errorf("printf width or precision %q is not supported (at most 999)", n)
			}
		}
	}
	if strings.Contains(format, "[") && explicitIndex.MatchString(format) {
		return "", errors.New("printf argument indexes (%[1]s) are not supported")
	}
	if len(format)+10*argsLen(args)+999*len(verbs) > MaxOutput {
		return "", ErrValueTooLong
	}
	return fmt.Sprintf(format, args...), nil
}

// explicitIndex finds a verb with an explicit argument index, such as %[2]d or %-5[1]s.
var explicitIndex = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]*)?\[`)

type limitedWriter struct{ buf bytes.Buffer }

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > MaxOutput {
		return 0, ErrTooLong
	}
	return w.buf.Write(p)
}
