package scrub

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xmlFormat scrubs XML in place with encoding/xml's token stream, whose offsets give each text
// node's raw extent; attribute values are located inside their start tag. An element is a
// mapping of its attributes and text ("#text"), or a scalar when it holds text only, so
// <password>x</password>, <add key="Password" value="x"/>, <entry key="db.password">x</entry> and
// Hadoop's <property><name>..</name><value>..</value></property> are all judged by name.
func xmlFormat(d *docScrubber, s string) (string, bool) {
	root, err := parseXML(s)
	if err != nil {
		return "", false
	}
	return applyEdits(s, d.judge(root)), true
}

func parseXML(s string) (*docNode, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	root := &docNode{isMap: true}
	stack := []*docNode{root}
	elements := 0
	for {
		before := int(dec.InputOffset())
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			elements++
			n := &docNode{key: t.Name.Local, isMap: true}
			n.kids = xmlAttributes(s, before, end)
			top.kids = append(top.kids, n)
			if !strings.HasSuffix(s[before:end], "/>") {
				stack = append(stack, n)
			}
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
				collapseText(stack[len(stack)-1])
			}
		case xml.CharData:
			raw := s[before:end]
			if len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			if strings.HasPrefix(raw, "<![CDATA[") && strings.HasSuffix(raw, "]]>") {
				top.kids = append(top.kids, scalarNode("#text", string(t), before+9, end-3, keepCDATA))
				continue
			}
			top.kids = append(top.kids, scalarNode("#text", string(t), before, end, xmlText))
		}
	}
	if elements == 0 {
		return nil, errors.New("no XML element")
	}
	return root, nil
}

// collapseText turns the last child of parent, an element holding text only, into a scalar
// named like the element.
func collapseText(parent *docNode) {
	if len(parent.kids) == 0 {
		return
	}
	el := parent.kids[len(parent.kids)-1]
	if el.leaf || len(el.kids) != 1 || !el.kids[0].leaf || el.kids[0].key != "#text" {
		return
	}
	text := *el.kids[0]
	text.key = el.key
	parent.kids[len(parent.kids)-1] = &text
}

// xmlAttributes locates the attribute values of the start tag s[start:end].
func xmlAttributes(s string, start, end int) []*docNode {
	var out []*docNode
	i := start + 1
	for i < end && !isXMLSpace(s[i]) && s[i] != '>' && s[i] != '/' {
		i++ // the element's name
	}
	for i < end {
		for i < end && (isXMLSpace(s[i]) || s[i] == '/' || s[i] == '>') {
			i++
		}
		ns := i
		for i < end && s[i] != '=' && !isXMLSpace(s[i]) && s[i] != '>' {
			i++
		}
		name := localName(s[ns:i])
		for i < end && isXMLSpace(s[i]) {
			i++
		}
		if i >= end || s[i] != '=' {
			continue
		}
		i++
		for i < end && isXMLSpace(s[i]) {
			i++
		}
		if i >= end || (s[i] != '"' && s[i] != '\'') {
			return out
		}
		q := s[i]
		closing := strings.IndexByte(s[i+1:end], q)
		if closing < 0 {
			return out
		}
		vs, ve := i+1, i+1+closing
		out = append(out, scalarNode(name, xmlUnescape(s[vs:ve]), vs, ve, xmlText))
		i = ve + 1
	}
	return out
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func xmlUnescape(raw string) string {
	var v struct {
		S string `xml:",chardata"`
	}
	if xml.Unmarshal([]byte("<x>"+raw+"</x>"), &v) != nil {
		return raw
	}
	return v.S
}

func xmlText(v string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(v))
	return b.String()
}

// keepCDATA writes a value inside a CDATA section, which only "]]>" could end.
func keepCDATA(v string) string { return strings.ReplaceAll(v, "]]>", "]]]]><![CDATA[>") }
