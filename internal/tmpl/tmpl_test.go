package tmpl

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	data := map[string]string{"Branch": "feature-x", "Domain": "example.com"}
	cases := []struct {
		name, text, want, err string
	}{
		{"fields", "{{ .Branch }}.{{ .Domain }}", "feature-x.example.com", ""},
		{"pipeline", `{{ .Branch | upper | printf "%s-app" }}`, "FEATURE-X-app", ""},
		{"if", `{{ if .Branch }}b{{ else }}n{{ end }}`, "b", ""},
		{"missing key", "{{ .Nope }}", "", "map has no entry"},
		{"range over a huge int", "{{ range 1000000000 }}{{ end }}", "", "{{range}} is not supported"},
		{"range inside if", "{{ if .Branch }}{{ range 5 }}x{{ end }}{{ end }}", "", "{{range}} is not supported"},
		{"define", `{{ define "x" }}a{{ end }}b`, "", "defining templates"},
		{"template call", `{{ template "ingress" . }}`, "", "not supported"},
		{"huge printf width", `{{ printf "%0999999999d" 1 }}`, "", "width or precision"},
		{"star width", `{{ printf "%*d" 999999999 1 }}`, "", "width or precision"},
		{"small printf width", `{{ printf "%05d" 7 }}`, "00007", ""},
		{"output cap", strings.Repeat(`{{ printf "%999d" 1 }}`, 100), "", "more than"},
		{"a variable grown tenfold six times", `{{ $x := "aaaaaaaaaa" }}` +
			strings.Repeat(`{{ $x = print $x $x $x $x $x $x $x $x $x $x }}`, 6) + `{{ len $x }}`, "", "would be longer than 65536 bytes"},
		{"nested replace", `{{ len ` + strings.Repeat(`(replace "a" "aaaaaaaaaa" `, 6) + `"aaaaaaaaaa"` + strings.Repeat(")", 6) + ` }}`,
			"", "would be longer than 65536 bytes"},
		{"replace of the empty string", `{{ len (replace "" "aaaaaaaaaa" (replace "" "aaaaaaaaaa" (replace "" "aaaaaaaaaa" (replace "" "aaaaaaaaaa" "aaaaaaaaaa")))) }}`,
			"", "would be longer than 65536 bytes"},
		{"printf of one argument by every verb", `{{ printf "%[1]s%[1]s" .Branch }}`, "", "argument indexes"},
		{"printf that repeats a grown value", `{{ $x := printf "%999d" 1 }}` + strings.Repeat(`{{ $x = printf "%s%s" $x $x }}`, 7),
			"", "would be longer than 65536 bytes"},
		{"an escaper over a grown value", `{{ $x := printf "%999s" "<" }}` + strings.Repeat(`{{ $x = print $x $x }}`, 4) + `{{ len (html $x) }}`,
			"", "would be longer than 65536 bytes"},
		{"bounded growth is fine", `{{ $x := "ab" }}{{ $x = print $x $x }}{{ $x | replace "a" "xy" | upper }}`, "XYBXYB", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Render(c.name, c.text, nil, data)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// FuzzRender: any template text either fails to parse/execute or renders within MaxOutput; the
// fuzzer's per-input timeout catches one that loops, and its memory limit one that grows.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"{{ .Branch }}", `{{ printf "%d" 3 }}`, "{{ if .Branch }}x{{ end }}", "{{ range 3 }}{{ end }}",
		`{{ $x := "aa" }}{{ $x = print $x $x $x }}{{ $x = replace "a" "bb" $x }}{{ len $x }}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, err := Render("fuzz", text, nil, map[string]string{"Branch": "b"})
		if err == nil && len(out) > MaxOutput {
			t.Fatalf("rendered %d bytes", len(out))
		}
	})
}
