package scrub

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// yamlFormat scrubs YAML (every document of a stream) in place: go.yaml.in/yaml/v3 gives each
// scalar's line, column and style, from which its raw extent is found, so comments, anchors and
// layout stay. The edited text is parsed again and compared with what the edits meant; when they
// differ (a multi-line plain scalar, an odd layout), the edited node tree is re-serialised
// instead, which keeps the comments but not every detail of the layout.
func yamlFormat(d *docScrubber, s string) (string, bool) {
	docs, err := decodeYAML(s)
	if err != nil || len(docs) == 0 {
		return "", false
	}
	lines := lineOffsets(s)
	var edits []docEdit
	located := true
	for _, doc := range docs {
		root := yamlTree(s, lines, doc, "", false)
		if root == nil {
			continue
		}
		for _, e := range d.judge(root) {
			located = located && e.start >= 0
			edits = append(edits, e)
		}
	}
	if len(edits) == 0 {
		return s, true
	}
	for _, e := range edits {
		setYAMLValue(e.node.ref.(*yaml.Node), e.value)
	}
	if located {
		out := applyEdits(s, edits)
		if sameYAML(out, docs) {
			return out, true
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, doc := range docs {
		if err := enc.Encode(doc); err != nil {
			return "", false
		}
	}
	_ = enc.Close()
	return b.String(), true
}

func decodeYAML(s string) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(s))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &n)
	}
}

// sameYAML reports whether out decodes to the (edited) documents.
func sameYAML(out string, docs []*yaml.Node) bool {
	got, err := decodeYAML(out)
	if err != nil || len(got) != len(docs) {
		return false
	}
	for i := range docs {
		var want, have any
		if docs[i].Decode(&want) != nil || got[i].Decode(&have) != nil || !reflect.DeepEqual(want, have) {
			return false
		}
	}
	return true
}

// setYAMLValue gives a scalar node its new value, as a string unless it was a number that
// stays one.
func setYAMLValue(n *yaml.Node, v string) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && strings.HasSuffix(n.Value, "\n") && !strings.HasSuffix(v, "\n") {
		v += "\n" // a block scalar keeps its final line break (clip or keep chomping)
	}
	if n.Tag == "!!int" && allDigits(v) {
		n.Value = v
		return
	}
	n.Value, n.Tag = v, "!!str"
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !plainSafe(v) {
		n.Style = yaml.DoubleQuotedStyle
	}
}

// yamlTree converts a yaml.v3 node to a document tree with raw extents.
func yamlTree(s string, lines []int, n *yaml.Node, key string, flow bool) *docNode {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlTree(s, lines, n.Content[0], key, flow)
	case yaml.MappingNode, yaml.SequenceNode:
		out := &docNode{key: key, isMap: n.Kind == yaml.MappingNode, ref: n}
		flow = flow || n.Style&yaml.FlowStyle != 0
		if out.isMap {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if kid := yamlTree(s, lines, n.Content[i+1], n.Content[i].Value, flow); kid != nil {
					out.kids = append(out.kids, kid)
				}
			}
		} else {
			for _, c := range n.Content {
				if kid := yamlTree(s, lines, c, "", flow); kid != nil {
					out.kids = append(out.kids, kid)
				}
			}
		}
		return out
	case yaml.ScalarNode:
		if n.Tag == "!!bool" || n.Tag == "!!null" || n.Tag == "!!float" {
			return nil
		}
		start, end, enc := yamlExtent(s, lines, n, flow)
		if n.Tag == "!!int" && n.Style == 0 {
			enc = jsonNumber // a number stays a number when the replacement is digits
		}
		leaf := scalarNode(key, n.Value, start, end, enc)
		leaf.ref = n
		return leaf
	}
	return nil // aliases take their anchor's value, which is judged where it is defined
}

// lineOffsets returns the byte offset of each line's start.
func lineOffsets(s string) []int {
	out := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// yamlOffset converts yaml.v3's 1-based line and column (in characters) to a byte offset.
func yamlOffset(s string, lines []int, line, col int) int {
	if line < 1 || line > len(lines) {
		return -1
	}
	off := lines[line-1]
	for c := 1; c < col && off < len(s); c++ {
		_, w := utf8.DecodeRuneInString(s[off:])
		off += w
	}
	return off
}

// yamlExtent finds a scalar's raw text and how to write a new value in its style; start is -1
// when the raw text cannot be found with certainty.
func yamlExtent(s string, lines []int, n *yaml.Node, flow bool) (int, int, func(string) string) {
	off := yamlOffset(s, lines, n.Line, n.Column)
	if off < 0 || off >= len(s) {
		return -1, -1, yamlPlain
	}
	if s[off] == '!' { // a tag: the value follows it
		for off < len(s) && s[off] != ' ' {
			off++
		}
		off = skipBlanks(s, off)
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0 && off < len(s) && s[off] == '"':
		ext := quoted(s, off)
		return off, ext.next, jsonString
	case n.Style&yaml.SingleQuotedStyle != 0 && off < len(s) && s[off] == '\'':
		ext := quoted(s, off)
		return off, ext.next, yamlSingle
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return yamlBlockExtent(s, off)
	}
	end := off
	for end < len(s) && s[end] != '\n' && s[end] != '\r' {
		if (s[end] == '#' && end > off && (s[end-1] == ' ' || s[end-1] == '\t')) ||
			(flow && (s[end] == ',' || s[end] == ']' || s[end] == '}')) {
			break
		}
		end++
	}
	for end > off && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	if s[off:end] != n.Value {
		return -1, -1, yamlPlain
	}
	return off, end, yamlPlain
}

// yamlBlockExtent: the content lines of a literal or folded block scalar whose header is at off.
// A new value is written as lines at the block's indentation.
func yamlBlockExtent(s string, off int) (int, int, func(string) string) {
	nl := lineEnd(s, off)
	if nl >= len(s) {
		return -1, -1, yamlPlain
	}
	ext := blockScalar(s, nl, indentOf(s, off))
	if ext.empty {
		return -1, -1, yamlPlain
	}
	ls := strings.LastIndexByte(s[:ext.start], '\n') + 1
	indent := s[ls:ext.start]
	return ext.start, ext.end, func(v string) string {
		return strings.ReplaceAll(strings.TrimSuffix(v, "\n"), "\n", "\n"+indent)
	}
}

// indentOf is the indentation of the line holding s[off].
func indentOf(s string, off int) int {
	ls := strings.LastIndexByte(s[:off], '\n') + 1
	return len(s[ls:off]) - len(strings.TrimLeft(s[ls:off], " \t"))
}

func yamlSingle(v string) string {
	if strings.ContainsAny(v, "\n\r") {
		return jsonString(v)
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// yamlPlain writes a value plain when YAML reads it back as the same string, else double-quoted.
func yamlPlain(v string) string {
	if plainSafe(v) {
		return v
	}
	return jsonString(v)
}

var (
	plainChars   = regexp.MustCompile(`^[A-Za-z0-9_./@+$(){}=~^-][A-Za-z0-9_./@+$(){}=~^ :,;&*%!?-]*$`)
	plainSpecial = regexp.MustCompile(`(?i)^(true|false|yes|no|on|off|y|n|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.inf|\.nan)$`)
)

// plainSafe reports strings YAML reads back unchanged from a plain scalar: no indicator at the
// start, no ": " or " #", no trailing blank, and not a boolean, null or number.
func plainSafe(v string) bool {
	return v != "" && plainChars.MatchString(v) && !plainSpecial.MatchString(v) &&
		!strings.Contains(v, ": ") && !strings.Contains(v, " #") && !strings.HasSuffix(v, " ") &&
		!strings.HasSuffix(v, ":") && !strings.HasPrefix(v, "- ")
}
