package scrub

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// jsonFormat scrubs a JSON document in place: encoding/json's token stream gives each value's
// byte offsets, so only the replaced values change and the layout stays.
func jsonFormat(d *docScrubber, s string) (string, bool) {
	root, err := parseJSON(s)
	if err != nil {
		return "", false
	}
	return applyEdits(s, d.judge(root)), true
}

// parseJSON builds the document tree of one JSON value (then only blanks).
func parseJSON(s string) (*docNode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	root := &docNode{}
	stack := []*docNode{root}
	var key string
	expectKey := false
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		start := before + strings.IndexFunc(s[before:end], func(r rune) bool {
			return r != ' ' && r != '\t' && r != '\n' && r != '\r' && r != ':' && r != ','
		})
		top := stack[len(stack)-1]
		if top.isMap && expectKey {
			if k, ok := tok.(string); ok {
				key, expectKey = k, false
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				n := &docNode{key: key, isMap: t == '{'}
				top.kids = append(top.kids, n)
				stack = append(stack, n)
				expectKey = n.isMap
			default:
				stack = stack[:len(stack)-1]
				expectKey = stack[len(stack)-1].isMap
			}
			key = ""
			continue
		case string:
			top.kids = append(top.kids, scalarNode(key, t, start, end, jsonString))
		case json.Number:
			top.kids = append(top.kids, scalarNode(key, t.String(), start, end, jsonNumber))
		}
		key = ""
		expectKey = top.isMap
	}
	if len(root.kids) != 1 {
		return nil, errors.New("not one JSON value")
	}
	return root.kids[0], nil
}

func jsonString(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonNumber keeps a number a number when the replacement is digits.
func jsonNumber(v string) string {
	if allDigits(v) {
		return v
	}
	return jsonString(v)
}
