package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// RenderStatus writes the parity report of one environment, axis by axis: infrastructure,
// dependencies (each image's prod reference and the copy's, stand-ins' versions), configuration,
// data, drift, then the conditions.
func RenderStatus(w io.Writer, env *v1alpha1.MirrorEnvironment, now time.Time) error {
	sections := []func(io.Writer){
		func(w io.Writer) { renderHeader(w, env, now) },
		func(w io.Writer) { renderSleep(w, env, now) },
		func(w io.Writer) { renderInfrastructure(w, env) },
		func(w io.Writer) { renderDependencies(w, env) },
		func(w io.Writer) { renderConfiguration(w, env.Status.Config, env.Status.Conditions) },
		func(w io.Writer) { renderData(w, env) },
		func(w io.Writer) { renderDrift(w, env.Status.Parity, now) },
		func(w io.Writer) { renderConditions(w, env.Status.Conditions) },
	}
	// Each section aligns its own columns.
	for _, section := range sections {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		section(tw)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func renderHeader(w io.Writer, env *v1alpha1.MirrorEnvironment, now time.Time) {
	st := &env.Status
	fmt.Fprintf(w, "Environment:\t%s/%s\n", env.Namespace, env.Name)
	if env.Spec.Branch != "" {
		fmt.Fprintf(w, "Branch:\t%s\n", env.Spec.Branch)
	}
	fmt.Fprintf(w, "Source:\t%s%s\n", env.Spec.Source.Namespace, sourceCluster(env.Spec.Source))
	fmt.Fprintf(w, "Namespace:\t%s\n", mirror.TargetNamespace(env))
	phase := phaseOrPending(st.Phase)
	if c := apimeta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady); c != nil && c.Message != "" {
		phase += " - " + c.Message
	}
	fmt.Fprintf(w, "Phase:\t%s\n", phase)
	if st.ObservedGeneration < env.Generation {
		fmt.Fprintf(w, "\t(the operator has not reconciled generation %d yet: this status is of generation %d)\n", env.Generation, st.ObservedGeneration)
	}
	fmt.Fprintf(w, "Expires:\t%s\n", expiry(env, now))
	if st.ProvisionedAt != nil {
		fmt.Fprintf(w, "Ready since:\t%s\n", timeAndAge(st.ProvisionedAt.Time, now))
	}
	for i, u := range st.URLs {
		label := "URLs:"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%s\t%s\n", label, u)
	}
	if len(st.URLs) == 0 {
		fmt.Fprintf(w, "URLs:\tnone yet (kubectl mirror open %s port-forwards its first Service)\n", env.Name)
	}
}

func sourceCluster(s v1alpha1.SourceSpec) string {
	if s.KubeconfigSecretRef != nil {
		return " (another cluster, through Secret " + s.KubeconfigSecretRef.Name + ")"
	}
	return ""
}

func expiry(env *v1alpha1.MirrorEnvironment, now time.Time) string {
	at := env.Status.ExpiresAt
	if at == nil {
		switch {
		case env.Spec.ExpiresAt != nil:
			return timeAndAge(env.Spec.ExpiresAt.Time, now) + " (requested; not yet confirmed by the operator)"
		case env.Spec.TTL != nil:
			return "ttl " + string(*env.Spec.TTL) + " from creation"
		}
		return "never (no ttl)"
	}
	return timeAndAge(at.Time, now)
}

// timeAndAge is "2026-11-30T12:00:00Z (in 3h)" or "(5m ago)".
func timeAndAge(t, now time.Time) string {
	return t.UTC().Format(time.RFC3339) + " (" + relative(t, now) + ")"
}

func renderInfrastructure(w io.Writer, env *v1alpha1.MirrorEnvironment) {
	st := &env.Status
	fmt.Fprintf(w, "\nInfrastructure: %d/%d workloads ready%s\n", st.ReadyServices, st.TotalServices, conditionNote(st.Conditions, v1alpha1.ConditionProvisioned))
	if len(st.Services) > 0 {
		fmt.Fprintln(w, "  WORKLOAD\tKIND\tREADY\tNOTE")
		for _, s := range st.Services {
			kind := s.Kind
			if s.SourceKind != "" && s.SourceKind != s.Kind {
				kind += " (prod: " + s.SourceKind + ")"
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", s.Name, kind, yesNo(s.Ready), s.Message)
		}
	}
	for _, k := range st.Parity.NotCopied {
		fmt.Fprintf(w, "  not copied: %d %s (%s)\n", k.Count, k.Kind, k.Reason)
	}
	fmt.Fprintf(w, "Isolation: %s%s\n", isolation(env), conditionNote(st.Conditions, v1alpha1.ConditionIsolated))
}

func isolation(env *v1alpha1.MirrorEnvironment) string {
	if env.Spec.Network.Isolation == "" {
		return string(v1alpha1.IsolationDenyProd)
	}
	return string(env.Spec.Network.Isolation)
}

// conditionNote is " (Reason: message)" for a condition that is not True, else "".
func conditionNote(conds []metav1.Condition, typ string) string {
	c := apimeta.FindStatusCondition(conds, typ)
	if c == nil || c.Status == metav1.ConditionTrue {
		return ""
	}
	return " (" + c.Reason + ": " + c.Message + ")"
}

func renderDependencies(w io.Writer, env *v1alpha1.MirrorEnvironment) {
	st := &env.Status
	p := st.Parity
	fmt.Fprintf(w, "\nDependencies: images %s%s\n", orDash(imagesDetail(st)), conditionNote(st.Conditions, v1alpha1.ConditionVersionsPinned))
	if hasContainers(st.Services) {
		fmt.Fprintln(w, "  WORKLOAD/CONTAINER\tPROD\tCOPY\tSTATE")
		for _, s := range st.Services {
			for _, c := range s.Containers {
				name := s.Name + "/" + c.Name
				if c.Init {
					name += " (init)"
				}
				fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", name, c.SourceImage, c.Image, imageState(c))
			}
		}
	}
	if len(st.Dependencies) > 0 {
		fmt.Fprintln(w, "  stand-ins for prod's backing services:")
		fmt.Fprintln(w, "  STAND-IN\tENGINE\tPROD VERSION\tCOPY VERSION\tREADY\tREPLACES")
		for _, d := range st.Dependencies {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.Engine, orDash(d.ProdVersion), orDash(d.Version),
				readyWithReason(d.Ready, d.Reason), strings.Join(d.Replaces, ", "))
		}
	}
	for _, m := range p.MissingDependencies {
		fmt.Fprintf(w, "  missing stand-in:\t%s (%s)\t%s\n", m.Host, m.Reference, m.Suggestion)
	}
}

func hasContainers(services []v1alpha1.ServiceStatus) bool {
	for _, s := range services {
		if len(s.Containers) > 0 {
			return true
		}
	}
	return false
}

func imageState(c v1alpha1.ContainerImageStatus) string {
	switch {
	case c.Overridden:
		return "overridden"
	case c.Pinned && c.Image == c.SourceImage:
		return "same digest (prod's spec pins it)"
	case c.Pinned:
		return "pinned to prod's digest"
	}
	return "NOT PINNED"
}

func readyWithReason(ready bool, reason string) string {
	if ready || reason == "" {
		return yesNo(ready)
	}
	return "no (" + reason + ")"
}

func renderConfiguration(w io.Writer, c v1alpha1.ConfigStatus, conds []metav1.Condition) {
	fmt.Fprintf(w, "\nConfiguration: %d ConfigMaps, %d Secrets (by shape: prod values never copied)%s\n",
		c.ConfigMaps, c.Secrets, conditionNote(conds, v1alpha1.ConditionConfigScrubbed))
	fmt.Fprintf(w, "  keys:\t%d generated, %d kept, %d templated, %d from dev Secrets\n", c.Generated, c.Kept, c.Templated, c.FromSecret)
	if len(c.KeptKeys) > 0 {
		fmt.Fprintf(w, "  kept (prod values, by explicit rule):\t%s\n", strings.Join(c.KeptKeys, ", "))
	}
	if c.Replaced > 0 {
		parts := make([]string, 0, len(c.ReplacedIn))
		for _, r := range c.ReplacedIn {
			parts = append(parts, fmt.Sprintf("%s %d", r.Object, r.Count))
		}
		fmt.Fprintf(w, "  plain values replaced:\t%d (%s)\n", c.Replaced, strings.Join(parts, ", "))
	}
	renderUncertain(w, c)
}

// renderUncertain lists the values the scrubber was unsure about, each with the keepPlain rule
// that copies it as prod has it, so that a user can decide in one edit.
func renderUncertain(w io.Writer, c v1alpha1.ConfigStatus) {
	if len(c.Uncertain) == 0 && c.UncertainOmitted == 0 {
		return
	}
	fmt.Fprintf(w, "  uncertain values:\t%d (review them; plainValues: Strict replaces the kept ones)\n", int32(len(c.Uncertain))+c.UncertainOmitted)
	for _, u := range c.Uncertain {
		where := u.Object + " " + u.Key
		if u.Path != "" {
			where += " (" + u.Path + ")"
		}
		keep := ""
		if u.KeepRule != "" && u.Decision == "Replaced" {
			keep = "; keep it: spec.config.keepPlain: " + u.KeepRule
		}
		// No tab: a long location must not widen the section's columns.
		fmt.Fprintf(w, "    - %s: %s, %s%s\n", where, strings.ToLower(u.Decision), u.Reason, keep)
	}
	if c.UncertainOmitted > 0 {
		fmt.Fprintf(w, "    - and %d more (status lists the first 50)\n", c.UncertainOmitted)
	}
}

func renderData(w io.Writer, env *v1alpha1.MirrorEnvironment) {
	st := &env.Status
	if len(env.Spec.Data) == 0 && len(st.Data) == 0 {
		fmt.Fprintln(w, "\nData: no databases")
		return
	}
	fmt.Fprintf(w, "\nData: %d database(s)%s\n", max(len(env.Spec.Data), len(st.Data)), conditionNote(st.Conditions, v1alpha1.ConditionSeeded))
	for _, a := range dataAxes(env) {
		fmt.Fprintf(w, "  %s:\t%s\n", strings.TrimPrefix(a.Name, "data "), a.Detail)
	}
	for _, d := range st.Data {
		if d.Job != "" {
			fmt.Fprintf(w, "  %s seeding Job:\t%s (kubectl mirror logs %s --seed %s)\n", d.Name, d.Job, env.Name, d.Name)
		}
		if len(d.TablesSeeded) == 0 {
			continue
		}
		fmt.Fprintln(w, "    TABLE\tROWS\tPROD ROWS (estimate)")
		for _, t := range d.TablesSeeded {
			prod := "-"
			if t.ProdRows != nil {
				prod = fmt.Sprint(*t.ProdRows)
			}
			fmt.Fprintf(w, "    %s\t%d\t%s\n", t.Table, t.Rows, prod)
		}
	}
}

func renderDrift(w io.Writer, p v1alpha1.ParityStatus, now time.Time) {
	checked := ""
	if p.LastCheckedAt != nil {
		checked = " (prod read " + duration.HumanDuration(now.Sub(p.LastCheckedAt.Time)) + " ago)"
	}
	if len(p.Drifted) == 0 {
		fmt.Fprintf(w, "\nDrift: none%s\n", checked)
	} else {
		fmt.Fprintf(w, "\nDrift: %d difference(s) from prod%s\n", len(p.Drifted), checked)
		for _, d := range p.Drifted {
			fmt.Fprintf(w, "  -\t%s\n", d)
		}
	}
	for _, f := range p.Followed {
		fmt.Fprintf(w, "  followed prod:\t%s\n", f)
	}
}

func renderConditions(w io.Writer, conds []metav1.Condition) {
	if len(conds) == 0 {
		return
	}
	fmt.Fprintln(w, "\nConditions:\n  TYPE\tSTATUS\tREASON\tMESSAGE")
	for _, c := range conds {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, c.Message)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RenderList writes the `ls` table.
func RenderList(w io.Writer, envs []v1alpha1.MirrorEnvironment, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tBRANCH\tPHASE\tREADY\tPINNED\tSLEEP\tEXPIRES\tURL\tAGE")
	for i := range envs {
		e := &envs[i]
		expires := "-"
		if e.Status.ExpiresAt != nil {
			expires = relative(e.Status.ExpiresAt.Time, now)
		}
		url := "-"
		if len(e.Status.URLs) > 0 {
			url = e.Status.URLs[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Namespace, e.Name, orDash(e.Spec.Branch),
			phaseOrPending(e.Status.Phase), orDash(e.Status.ServicesReady), orDash(e.Status.Parity.PinnedSummary),
			sleepColumn(e), expires, url, duration.HumanDuration(now.Sub(e.CreationTimestamp.Time)))
	}
	return tw.Flush()
}

// relative is "in 47h" or "3m ago".
func relative(t, now time.Time) string {
	if t.Before(now) {
		return duration.HumanDuration(now.Sub(t)) + " ago"
	}
	return "in " + duration.HumanDuration(t.Sub(now))
}
