package cli

import (
	"fmt"
	"strings"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// AxisState is where one axis of an environment stands.
type AxisState string

const (
	AxisWaiting AxisState = "waiting"
	AxisDone    AxisState = "done"
	AxisFailed  AxisState = "failed"
	// AxisWarning: the environment is Ready, but this axis reports a gap (e.g. images that
	// could not be pinned).
	AxisWarning AxisState = "warning"
)

// Axis is one line of `up --wait`'s progress: an axis of parity and what it reports.
type Axis struct {
	// Name: "workloads", "images", "config", "data <db>", "dependency <name>".
	Name   string
	State  AxisState
	Detail string
}

// Axes reads the progress of each axis from the environment's status: workloads ready, images
// pinned, configuration, seeding per database and dependency stand-ins.
func Axes(env *v1alpha1.MirrorEnvironment) []Axis {
	st := &env.Status
	axes := []Axis{
		workloadsAxis(env),
		conditionAxis(env, "images", v1alpha1.ConditionVersionsPinned, imagesDetail(st)),
		conditionAxis(env, "config", v1alpha1.ConditionConfigScrubbed, configDetail(st.Config)),
	}
	axes = append(axes, dataAxes(env)...)
	axes = append(axes, dependencyAxes(env)...)
	if apimeta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionReady) {
		for i := range axes {
			if axes[i].State == AxisWaiting {
				axes[i].State = AxisWarning // Ready does not wait for it
			}
		}
	}
	return axes
}

func workloadsAxis(env *v1alpha1.MirrorEnvironment) Axis {
	st := &env.Status
	a := conditionAxis(env, "workloads", v1alpha1.ConditionProvisioned, "")
	if st.TotalServices == 0 {
		if a.Detail == "" {
			a.Detail = "not copied yet"
		}
		return a
	}
	detail := fmt.Sprintf("%d/%d ready", st.ReadyServices, st.TotalServices)
	if st.ReadyServices < st.TotalServices {
		if a.State == AxisDone {
			a.State = AxisWaiting
		}
		detail += "; waiting for " + notReadyServices(st.Services, 4)
	}
	if a.State == AxisFailed {
		detail = a.Detail
	}
	a.Detail = detail
	return a
}

// conditionAxis takes an axis's state from its condition: done when True, failed when its
// reason is the one the environment is stalled or failed on, waiting otherwise (with the
// condition's message when there is no better detail).
func conditionAxis(env *v1alpha1.MirrorEnvironment, name, condType, detail string) Axis {
	c := apimeta.FindStatusCondition(env.Status.Conditions, condType)
	a := Axis{Name: name, State: AxisWaiting, Detail: detail}
	switch {
	case c == nil:
		if a.Detail == "" {
			a.Detail = "not reconciled yet"
		}
	case c.Status == metav1.ConditionTrue:
		a.State = AxisDone
	case failedOn(env, c.Reason):
		a.State, a.Detail = AxisFailed, c.Reason+": "+c.Message
	case a.Detail == "" || c.Status == metav1.ConditionFalse:
		a.Detail = joinDetail(detail, c.Message)
	}
	return a
}

// failedOn reports whether the environment is stalled, or in a failure phase, for this reason.
func failedOn(env *v1alpha1.MirrorEnvironment, reason string) bool {
	if s := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionStalled); s != nil &&
		s.Status == metav1.ConditionTrue && s.Reason == reason {
		return true
	}
	if env.Status.Phase != v1alpha1.PhaseFailed && env.Status.Phase != v1alpha1.PhaseDegraded {
		return false
	}
	r := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionReady)
	return r != nil && r.Status != metav1.ConditionTrue && r.Reason == reason
}

func joinDetail(detail, message string) string {
	switch {
	case detail == "":
		return message
	case message == "":
		return detail
	}
	return detail + " (" + message + ")"
}

func imagesDetail(st *v1alpha1.MirrorEnvironmentStatus) string {
	p := st.Parity
	total := p.Pinned + p.Unpinned + p.Overridden
	if total == 0 {
		return ""
	}
	s := fmt.Sprintf("%d/%d pinned to prod's digests", p.Pinned, p.Pinned+p.Unpinned)
	if p.Overridden > 0 {
		s += fmt.Sprintf(", %d overridden", p.Overridden)
	}
	return s
}

func configDetail(c v1alpha1.ConfigStatus) string {
	if c.ConfigMaps == 0 && c.Secrets == 0 {
		return ""
	}
	s := fmt.Sprintf("%d ConfigMaps, %d Secrets by shape: %d values generated", c.ConfigMaps, c.Secrets, c.Generated)
	for _, part := range []struct {
		n    int32
		what string
	}{{c.Templated, "templated"}, {c.FromSecret, "from dev Secrets"}, {c.Kept, "kept"}, {c.Replaced, "plain values replaced"}} {
		if part.n > 0 {
			s += fmt.Sprintf(", %d %s", part.n, part.what)
		}
	}
	return s
}

// dataAxes gives one axis per database of the spec, with its status when there is one.
func dataAxes(env *v1alpha1.MirrorEnvironment) []Axis {
	return entryAxes("data ", env.Spec.Data, func(d v1alpha1.DatabaseSpec) string { return d.Name },
		env.Status.Data, func(d v1alpha1.DatabaseStatus) string { return d.Name },
		func(d v1alpha1.DatabaseStatus) (AxisState, string) {
			switch d.Phase {
			case v1alpha1.DataSeeded:
				return AxisDone, databaseDetail(d)
			case v1alpha1.DataFailed:
				return AxisFailed, databaseDetail(d)
			}
			return AxisWaiting, databaseDetail(d)
		})
}

// entryAxes gives one axis per spec entry (by name), judged from the status entry of the same
// name, or Pending while there is none.
func entryAxes[S, T any](prefix string, specs []S, specName func(S) string, statuses []T, statusName func(T) string,
	judge func(T) (AxisState, string)) []Axis {
	byName := make(map[string]T, len(statuses))
	for _, st := range statuses {
		byName[statusName(st)] = st
	}
	axes := make([]Axis, 0, len(specs))
	for _, spec := range specs {
		name := specName(spec)
		a := Axis{Name: prefix + name, State: AxisWaiting, Detail: "Pending"}
		if st, ok := byName[name]; ok {
			a.State, a.Detail = judge(st)
		}
		axes = append(axes, a)
	}
	return axes
}

func databaseDetail(d v1alpha1.DatabaseStatus) string {
	phase := string(d.Phase)
	if phase == "" {
		phase = string(v1alpha1.DataPending)
	}
	s := phase
	if d.Rows > 0 {
		s += fmt.Sprintf(": %d rows", d.Rows)
		if d.Tables > 0 {
			s += fmt.Sprintf(" in %d tables", d.Tables)
		}
		if d.Duration != "" {
			s += " in " + d.Duration
		}
		if d.RowsPerSecond > 0 {
			s += fmt.Sprintf(" (%d rows/s)", d.RowsPerSecond)
		}
	}
	msg := d.Message
	if d.Reason != "" && msg != "" {
		msg = d.Reason + ": " + msg
	}
	if msg != "" && d.Phase != v1alpha1.DataSeeded {
		s += " - " + msg
	}
	return s
}

// dependencyAxes gives one axis per dependency stand-in of the spec.
func dependencyAxes(env *v1alpha1.MirrorEnvironment) []Axis {
	return entryAxes("dependency ", env.Spec.Dependencies, func(d v1alpha1.DependencySpec) string { return d.Name },
		env.Status.Dependencies, func(d v1alpha1.DependencyStatus) string { return d.Name },
		func(d v1alpha1.DependencyStatus) (AxisState, string) {
			switch {
			case d.Ready:
				return AxisDone, dependencyDetail(d)
			case d.Reason != "" && failedOn(env, d.Reason):
				return AxisFailed, dependencyDetail(d)
			}
			return AxisWaiting, dependencyDetail(d)
		})
}

func dependencyDetail(d v1alpha1.DependencyStatus) string {
	s := string(d.Engine)
	if d.Version != "" {
		s += " " + d.Version
	}
	if d.ProdVersion != "" {
		s += " (prod " + d.ProdVersion + ")"
	}
	if d.Ready {
		return s + " ready"
	}
	msg := d.Message
	if d.Reason != "" {
		msg = joinDetail(d.Reason, d.Message)
	}
	return joinDetail(s+" not ready", msg)
}

func notReadyServices(services []v1alpha1.ServiceStatus, max int) string {
	var names []string
	for _, s := range services {
		if !s.Ready {
			names = append(names, s.Kind+"/"+s.Name)
		}
	}
	if len(names) > max {
		names = append(names[:max], fmt.Sprintf("%d more", len(names)-max))
	}
	if len(names) == 0 {
		return "the operator's next report"
	}
	return strings.Join(names, ", ")
}

// ProgressPrinter turns successive observations into the lines that changed, so that a CI log
// shows each step once instead of a redraw per poll.
type ProgressPrinter struct {
	last  map[string]string
	phase v1alpha1.Phase
}

// Lines returns the progress lines that differ from the last observation.
func (p *ProgressPrinter) Lines(env *v1alpha1.MirrorEnvironment) []string {
	if p.last == nil {
		p.last = map[string]string{}
	}
	var out []string
	if env.Status.Phase != p.phase && env.Status.Phase != "" {
		out = append(out, fmt.Sprintf("%-22s %s", "phase", env.Status.Phase))
		p.phase = env.Status.Phase
	}
	for _, a := range Axes(env) {
		line := fmt.Sprintf("%s %-20s %s", stateMark(a.State), a.Name, a.Detail)
		if p.last[a.Name] != line {
			p.last[a.Name] = line
			out = append(out, line)
		}
	}
	return out
}

func stateMark(s AxisState) string {
	switch s {
	case AxisDone:
		return "✓"
	case AxisFailed:
		return "✗"
	case AxisWarning:
		return "!"
	}
	return "…"
}
