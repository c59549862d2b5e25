package controllers

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeMethods are the methods of Kubernetes clients and event recorders that change something.
var writeMethods = map[string]bool{"Create": true, "Update": true, "Patch": true, "Delete": true, "DeleteAllOf": true,
	"Apply": true, "Status": true, "SubResource": true, "Eventf": true, "Event": true, "AnnotatedEventf": true}

// clientPackages are where those clients and recorders come from.
var clientPackages = []string{"sigs.k8s.io/controller-runtime/pkg/client", "k8s.io/client-go/"}

// TestOnlyTheWriterWrites keeps writes.go the only place of this package that changes anything:
// a write anywhere else would skip the final sweep (a prod Secret value in an object, a status
// message or an event) or the proof a delete needs (deletions.go). It type-checks the package's
// source and fails on any call of a client's or recorder's write method outside writes.go, so a
// step added later cannot reintroduce either.
func TestOnlyTheWriterWrites(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", exportData(t))}
	if _, err := conf.Check("github.com/envmirror/envmirror/controllers", fset, parsed, info); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range parsed {
		name := filepath.Base(fset.Position(f.Pos()).Filename)
		if name == "writes.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !writeMethods[sel.Sel.Name] {
				return true
			}
			s, ok := info.Selections[sel]
			if !ok || s.Obj().Pkg() == nil {
				return true
			}
			checked++
			path := s.Obj().Pkg().Path()
			for _, p := range clientPackages {
				// A SelfSubjectReview asks the API server who the operator is and stores nothing.
				if strings.HasPrefix(path, p) && !strings.Contains(types.ExprString(sel), "SelfSubjectReviews") {
					t.Errorf("%s: %s writes without the writer (writes.go)", fset.Position(sel.Pos()), types.ExprString(sel))
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no method call was checked: the test is not reading the package")
	}
}

// exportData finds the compiled export data of the package's imports (go list -export).
func exportData(t *testing.T) func(string) (io.ReadCloser, error) {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), " "); ok && file != "" {
			exports[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) }
}
