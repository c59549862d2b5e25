package scrub

import (
	"strings"

	"github.com/hashicorp/hcl/hcl/ast"
	"github.com/hashicorp/hcl/hcl/parser"
	"github.com/hashicorp/hcl/hcl/token"
)

// hclFormat scrubs HCL (Consul, Vault, Nomad and Terraform CLI configuration) in place, parsed by
// HashiCorp's HCL v1 parser, the one those agents read their configuration with: each literal's
// token gives its byte offset. A block's name and labels are its path, so values under a block
// that names secrets (acl { tokens { ... } }, secrets { ... }) are tainted like YAML's, and
// heredocs are judged as documents. Terraform's HCL 2 expressions (var.x) do not parse here:
// such files go to the text scanner, which reads their "key = value" lines and blocks too.
func hclFormat(d *docScrubber, s string) (string, bool) {
	f, err := parser.Parse([]byte(s))
	if err != nil {
		return "", false
	}
	list, ok := f.Node.(*ast.ObjectList)
	if !ok {
		return "", false
	}
	root := &docNode{isMap: true}
	hclItems(s, root, list)
	return applyEdits(s, d.judge(root)), true
}

// hclItems adds the items of an object list under parent: "a = v" as a scalar a, a block
// name "label" { ... } as nested mappings name > label.
func hclItems(s string, parent *docNode, list *ast.ObjectList) {
	for _, item := range list.Items {
		if len(item.Keys) == 0 {
			continue
		}
		at := parent
		for i, k := range item.Keys[:len(item.Keys)-1] {
			n := &docNode{key: hclKey(k), isMap: true, label: i > 0}
			at.kids = append(at.kids, n)
			at = n
		}
		if n := hclValue(s, hclKey(item.Keys[len(item.Keys)-1]), item.Val); n != nil {
			n.label = len(item.Keys) > 1 && !n.leaf
			at.kids = append(at.kids, n)
		}
	}
}

func hclKey(k *ast.ObjectKey) string { return strings.Trim(k.Token.Text, `"`) }

// hclValue builds the node of one value: a scalar for a literal, a mapping for an object, a
// sequence for a list.
func hclValue(s, key string, v ast.Node) *docNode {
	switch x := v.(type) {
	case *ast.LiteralType:
		return hclLiteral(s, key, x.Token)
	case *ast.ObjectType:
		n := &docNode{key: key, isMap: true}
		hclItems(s, n, x.List)
		return n
	case *ast.ListType:
		n := &docNode{key: key}
		for _, it := range x.List {
			if c := hclValue(s, "", it); c != nil {
				n.kids = append(n.kids, c)
			}
		}
		return n
	}
	return nil
}

// hclLiteral locates a literal's value in the source: inside the quotes of a string, between
// the first line and the closing marker of a heredoc, the raw text of numbers and booleans.
func hclLiteral(s, key string, t token.Token) *docNode {
	start, end := t.Pos.Offset, t.Pos.Offset+len(t.Text)
	if start < 0 || end > len(s) || s[start:end] != t.Text {
		return nil
	}
	switch t.Type {
	case token.STRING:
		if end-start < 2 {
			return nil
		}
		v, _ := t.Value().(string)
		n := scalarNode(key, v, start+1, end-1, keepAsIs)
		if s[start+1:end-1] != v {
			n.encode = hclString // escapes in the raw text: write the value escaped
		}
		return n
	case token.HEREDOC:
		nl := strings.IndexByte(t.Text, '\n')
		last := strings.LastIndex(strings.TrimRight(t.Text, "\n"), "\n")
		if nl < 0 || last <= nl {
			return nil
		}
		return scalarNode(key, t.Text[nl+1:last+1], start+nl+1, start+last+1, keepAsIs)
	case token.NUMBER, token.FLOAT, token.BOOL:
		return scalarNode(key, t.Text, start, end, keepAsIs)
	}
	return nil
}

// hclString escapes a value for the inside of an HCL string.
func hclString(v string) string { return hclEscaper.Replace(v) }

var hclEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${")
