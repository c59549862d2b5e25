package argocd_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// TestHealthCheck runs health.lua as Argo CD does (the object as the global obj, a table
// {status, message} back) against sample MirrorEnvironments.
func TestHealthCheck(t *testing.T) {
	script, err := os.ReadFile("health.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, object, status, message string
	}{
		{"no status yet", `metadata: {generation: 1}`, "Progressing", "Waiting for the envmirror operator"},
		{"status of an older generation", `
metadata: {generation: 3}
status:
  observedGeneration: 2
  phase: Ready
  conditions: [{type: Ready, status: "True", reason: Ready, message: 7 of 7 services ready}]`,
			"Progressing", "reconcile generation 3"},
		{"ready", `
metadata: {generation: 2}
status:
  observedGeneration: 2
  phase: Ready
  conditions:
  - {type: Ready, status: "True", reason: Ready, message: 7 of 7 services ready in namespace shop-prod-fix}
  - {type: Reconciling, status: "False", reason: Succeeded, message: done}`,
			"Healthy", "Ready: 7 of 7 services ready in namespace shop-prod-fix"},
		{"seeding", `
metadata: {generation: 2}
status:
  observedGeneration: 2
  phase: Seeding
  conditions:
  - {type: Ready, status: "False", reason: Seeding, message: "Seeded: seeding orders-db"}
  - {type: Reconciling, status: "True", reason: Progressing, message: seeding}`,
			"Progressing", "Seeding: Seeded: seeding orders-db"},
		{"stalled", `
metadata: {generation: 2}
status:
  observedGeneration: 2
  phase: Failed
  conditions:
  - {type: Ready, status: "False", reason: OverrideNotFound, message: "Provisioned: spec.overrides names nosuch"}
  - {type: Stalled, status: "True", reason: OverrideNotFound, message: spec.overrides names nosuch}`,
			"Degraded", "OverrideNotFound: spec.overrides names nosuch"},
		{"failed without Stalled (the operator retries)", `
metadata: {generation: 2}
status:
  observedGeneration: 2
  phase: Failed
  conditions: [{type: Ready, status: "False", reason: ApplyFailed, message: "Provisioned: conflict"}]`,
			"Degraded", "Failed (ApplyFailed): Provisioned: conflict"},
		{"a seeding failure", `
metadata: {generation: 2}
status:
  observedGeneration: 2
  phase: Degraded
  conditions: [{type: Ready, status: "False", reason: SeedFailed, message: "Seeded: orders-db: constraint"}]`,
			"Degraded", "Degraded (SeedFailed): Seeded: orders-db: constraint"},
		{"being deleted", `
metadata: {generation: 2}
status: {observedGeneration: 2, phase: Deleting, conditions: [{type: Ready, status: "False", reason: Deleting, message: being deleted}]}`,
			"Progressing", "Deleting: being deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, message := runHealth(t, string(script), tc.object)
			if status != tc.status || !strings.Contains(message, tc.message) {
				t.Errorf("health = %s %q, want %s containing %q", status, message, tc.status, tc.message)
			}
		})
	}
}

// TestConfigMapCarriesTheScript keeps argocd-cm.yaml's copy of the script the tested one.
func TestConfigMapCarriesTheScript(t *testing.T) {
	script, err := os.ReadFile("health.lua")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("argocd-cm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(raw, &cm); err != nil {
		t.Fatal(err)
	}
	got := cm.Data["resource.customizations.health.envmirror.io_MirrorEnvironment"]
	if got != string(script) {
		t.Errorf("argocd-cm.yaml does not carry health.lua as it is; copy it again (indented by 4)")
	}
}

func runHealth(t *testing.T, script, object string) (string, string) {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(object), &obj); err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	fn, err := L.LoadString(script)
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatal(err)
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatalf("the script returned %s, not a table", L.Get(-1).Type())
	}
	return lua.LVAsString(hs.RawGetString("status")), lua.LVAsString(hs.RawGetString("message"))
}

// toLua converts a decoded JSON value as Argo CD does: objects and arrays become tables
// (arrays 1-based), numbers LNumber.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case json.Number:
		f, _ := v.Float64()
		return lua.LNumber(f)
	case nil:
		return lua.LNil
	}
	panic("unexpected JSON value")
}
