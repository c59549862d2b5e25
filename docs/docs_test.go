// Package docs holds the user documentation; its tests keep the docs true to the code.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// TestTroubleshootingCoversEveryReason: each condition reason of api/v1alpha1/conditions.go has
// an entry ("### `Reason`") in troubleshooting.md.
func TestTroubleshootingCoversEveryReason(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../api/v1alpha1/conditions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	reasons := 0
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Reason") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				value, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				reasons++
				if !strings.Contains(string(page), "### `"+value+"`\n") {
					t.Errorf("troubleshooting.md has no entry for reason %s (%s)", value, name.Name)
				}
			}
		}
	}
	if reasons < 20 {
		t.Fatalf("found only %d reasons in conditions.go: did its layout change?", reasons)
	}
}

// TestExamplesDecode: the example MirrorEnvironments use only fields the API has.
func TestExamplesDecode(t *testing.T) {
	for _, path := range []string{"examples/argocd/preview/mirrorenvironment.yaml"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var env v1alpha1.MirrorEnvironment
		if err := yaml.UnmarshalStrict(raw, &env); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}
