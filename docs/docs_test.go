// Package docs holds the user documentation; its tests keep the docs true to the code.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// TestTroubleshootingCoversEveryReason: each condition reason of the API (a Reason* constant in
// any file of api/v1alpha1) has an entry ("### `Reason`") in troubleshooting.md.
func TestTroubleshootingCoversEveryReason(t *testing.T) {
	files, err := filepath.Glob("../api/v1alpha1/*.go")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	reasons := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		reasons += checkReasons(t, f, string(page))
	}
	if reasons < 20 {
		t.Fatalf("found only %d reasons in api/v1alpha1: did its layout change?", reasons)
	}
}

// checkReasons checks the Reason* constants of one file against the page; it returns how many.
func checkReasons(t *testing.T, f *ast.File, page string) int {
	t.Helper()
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
				if !strings.Contains(page, "### `"+value+"`\n") {
					t.Errorf("troubleshooting.md has no entry for reason %s (%s)", value, name.Name)
				}
			}
		}
	}
	return reasons
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
