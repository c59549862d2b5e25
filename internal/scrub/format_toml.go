package scrub

import (
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlFormat scrubs TOML in place with go-toml's AST, which gives each value's raw byte range.
// [table] and [[array-table]] headers and dotted keys become the path a value is judged by.
func tomlFormat(d *docScrubber, s string) (string, bool) {
	p := unstable.Parser{}
	p.Reset([]byte(s))
	root := &docNode{isMap: true}
	current := root
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			current = tomlTable(root, keyParts(e.Key()))
		case unstable.KeyValue:
			tomlKeyValue(&p, current, e)
		}
	}
	if p.Error() != nil {
		return "", false
	}
	return applyEdits(s, d.judge(root)), true
}

// keyParts returns the parts of a (dotted) key.
func keyParts(key unstable.Iterator) []string {
	var parts []string
	for key.Next() {
		parts = append(parts, string(key.Node().Data))
	}
	return parts
}

// tomlKeyValue adds a key = value expression to table.
func tomlKeyValue(p *unstable.Parser, table *docNode, e *unstable.Node) {
	parts := keyParts(e.Key())
	parent := tomlTable(table, parts[:len(parts)-1])
	if v := tomlValue(p, parts[len(parts)-1], e.Value()); v != nil {
		parent.kids = append(parent.kids, v)
	}
}

// tomlTable walks (creating) the mappings a table header or the leading parts of a dotted key
// name.
func tomlTable(parent *docNode, parts []string) *docNode {
	for _, name := range parts {
		var next *docNode
		for _, k := range parent.kids {
			if k.key == name && !k.leaf {
				next = k
			}
		}
		if next == nil {
			next = &docNode{key: name, isMap: true}
			parent.kids = append(parent.kids, next)
		}
		parent = next
	}
	return parent
}

// tomlValue converts a value node: strings and integers become scalars, arrays and inline tables
// collections; other kinds (booleans, floats, dates) hold no secret.
func tomlValue(p *unstable.Parser, key string, n *unstable.Node) *docNode {
	switch n.Kind {
	case unstable.String:
		start := int(n.Raw.Offset)
		end := start + int(n.Raw.Length)
		return scalarNode(key, string(n.Data), start, end, tomlStringEncoder(string(p.Raw(n.Raw))))
	case unstable.Integer:
		start := int(n.Raw.Offset)
		return scalarNode(key, string(n.Data), start, start+int(n.Raw.Length), jsonNumber)
	case unstable.Array:
		out := &docNode{key: key}
		it := n.Children()
		for it.Next() {
			if v := tomlValue(p, "", it.Node()); v != nil {
				out.kids = append(out.kids, v)
			}
		}
		return out
	case unstable.InlineTable:
		out := &docNode{key: key, isMap: true}
		it := n.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				tomlKeyValue(p, out, kv)
			}
		}
		return out
	}
	return nil
}

// tomlStringEncoder writes a new value like the raw string it replaces: a literal string when
// the original was one and the value allows it, else a basic string (JSON's escapes are TOML's).
func tomlStringEncoder(raw string) func(string) string {
	return func(v string) string {
		if strings.HasPrefix(raw, "'") && !strings.HasPrefix(raw, "'''") && !strings.ContainsAny(v, "'\n\r") {
			return "'" + v + "'"
		}
		return jsonString(v)
	}
}
