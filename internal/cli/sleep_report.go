package cli

import (
	"fmt"
	"io"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// sleepColumn is `ls`'s SLEEP: when the environment sleeps or wakes next.
func sleepColumn(env *v1alpha1.MirrorEnvironment) string {
	if st := env.Status.Sleep; st != nil && st.Next != "" {
		return st.Next
	}
	return "-"
}

// renderSleep shows where the environment stands with spec.sleep, how long it was awake and
// asleep, and what it requests next to prod.
func renderSleep(w io.Writer, env *v1alpha1.MirrorEnvironment, now time.Time) {
	st := env.Status.Sleep
	if st != nil || env.Spec.Sleep != nil {
		state := "awake"
		if st != nil && st.State == v1alpha1.SleepAsleep {
			state = "asleep"
		}
		if st != nil && st.Since != nil {
			state += " since " + timeAndAge(st.Since.Time, now)
		}
		fmt.Fprintf(w, "Sleep:\t%s\n", state)
		if c := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionSleeping); c != nil {
			fmt.Fprintf(w, "\t%s\n", c.Message)
		}
		if st != nil && st.IdleSignals != "" {
			fmt.Fprintf(w, "\tidle measured from: %s\n", st.IdleSignals)
		}
		awake, asleep := st.Hours(env.CreationTimestamp.Time, now)
		fmt.Fprintf(w, "\t%s awake, %s asleep since its creation\n", hours(awake), hours(asleep))
	}
	r := env.Status.Resources
	if r == nil {
		return
	}
	fmt.Fprintf(w, "Requests:\tthe copy %s, its stand-ins %s; prod's copied workloads %s\n", totals(r.Copy), totals(r.StandIns), totals(r.Prod))
}

func totals(t v1alpha1.ResourceTotals) string {
	if t.Pods == 0 {
		return "none"
	}
	return fmt.Sprintf("%s CPU / %s memory (%d pods)", orDash(t.CPU), orDash(t.Memory), t.Pods)
}

// hours writes a duration as hours with one decimal ("12.5h").
func hours(d time.Duration) string {
	return fmt.Sprintf("%.1fh", d.Hours())
}
