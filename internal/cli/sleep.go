package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// DefaultWakeFor is how long `wake` (and `up` on a sleeping environment) keeps an environment
// awake over its schedule and idle rule.
const DefaultWakeFor = 2 * time.Hour

func newSleepCommand(o *Options) *cobra.Command {
	var until string
	var wait bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "sleep [NAME]",
		Short: "Put an environment to sleep: its pods scaled to zero, its data and credentials kept",
		Long: `Set spec.sleep.override to Asleep: the operator scales the copy's workloads and stand-ins to
zero and suspends its CronJobs; volumes, Secrets and seeded data stay, and kubectl mirror wake
(or up) brings it back as it was, without seeding again. It sleeps until woken, or with --until
until then (a duration such as 12h, or an RFC 3339 time), when the schedule and idle rule of
spec.sleep apply again. It still expires at its expiry.`,
		Example: "  kubectl mirror sleep\n  kubectl mirror sleep checkout-fix-42 --until 2026-12-01T08:00:00+01:00 --wait",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := o.Now()
			override := &v1alpha1.SleepOverride{State: v1alpha1.SleepAsleep}
			if until != "" {
				at, err := parseUntil(until, now)
				if err != nil {
					return err
				}
				override.Until = &metav1.Time{Time: at}
			}
			c, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				return err
			}
			if err := setSleepOverride(cmd.Context(), c, env, override, time.Time{}); err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "mirrorenvironment %s/%s asleep %s\n", env.Namespace, env.Name, untilText(override.Until, now))
			if !wait {
				return nil
			}
			return waitAsleep(cmd.Context(), c, env.Name, env.Generation, timeout)
		},
	}
	cmd.Flags().StringVar(&until, "until", "", "Sleep until then (a duration such as 12h, or an RFC 3339 time); default: until woken")
	cmd.Flags().BoolVar(&wait, "wait", false, "Wait until the operator reports it asleep")
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "How long --wait waits")
	return cmd
}

func newWakeCommand(o *Options) *cobra.Command {
	w := &upOptions{Options: o}
	var awakeFor time.Duration
	cmd := &cobra.Command{
		Use:   "wake [NAME]",
		Short: "Wake a sleeping environment, as it was when it fell asleep, and keep it awake for a while",
		Long: `Set spec.sleep.override to Awake for --for (default 2h; over the schedule and the idle rule), and
mark the environment used (which restarts its idle clock). The operator scales the copy back
to what it ran with, catches up with prod as followProd says, and does not seed again. --for 0
removes the override: the schedule and the idle rule decide at once. With --wait it waits until
the environment is Ready, with up's exit codes.`,
		Example: "  kubectl mirror wake --wait\n  kubectl mirror wake checkout-fix-42 --for 8h",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if awakeFor < 0 {
				return errors.New("--for may not be negative")
			}
			now := o.Now()
			c, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				return err
			}
			var override *v1alpha1.SleepOverride
			if awakeFor > 0 {
				override = &v1alpha1.SleepOverride{State: v1alpha1.SleepAwake, Until: &metav1.Time{Time: now.Add(awakeFor).Truncate(time.Second)}}
			}
			if err := setSleepOverride(cmd.Context(), c, env, override, now); err != nil {
				return err
			}
			if override == nil {
				fmt.Fprintf(o.Out, "mirrorenvironment %s/%s: no override; its schedule and idle rule decide\n", env.Namespace, env.Name)
			} else {
				fmt.Fprintf(o.Out, "mirrorenvironment %s/%s awake %s\n", env.Namespace, env.Name, untilText(override.Until, now))
			}
			if !w.wait {
				return nil
			}
			return w.waitReady(cmd.Context(), c, env.Name, env.Generation)
		},
	}
	cmd.Flags().DurationVar(&awakeFor, "for", DefaultWakeFor, "Keep it awake this long over its schedule and idle rule (0: only remove a sleep by hand)")
	cmd.Flags().BoolVar(&w.wait, "wait", false, "Wait until the environment is Ready again")
	cmd.Flags().DurationVar(&w.timeout, "timeout", 10*time.Minute, "How long --wait waits")
	cmd.Flags().DurationVar(&w.grace, "failure-grace", DefaultFailureGrace, "How long a failure phase may last before --wait gives up")
	return cmd
}

// parseUntil reads --until: a duration from now or an RFC 3339 time, in the future.
func parseUntil(arg string, now time.Time) (time.Time, error) {
	at, err := ParseExpiry(arg, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--until: %w", err)
	}
	return at, nil
}

func untilText(until *metav1.Time, now time.Time) string {
	if until == nil {
		return "until woken (kubectl mirror wake)"
	}
	return "until " + timeAndAge(until.Time, now)
}

// setSleepOverride sets (or, with nil, removes) spec.sleep.override with a merge patch that
// touches nothing else of the spec, and marks the environment used at activity (unless zero).
func setSleepOverride(ctx context.Context, c *Clients, env *v1alpha1.MirrorEnvironment, override *v1alpha1.SleepOverride, activity time.Time) error {
	patch := client.MergeFrom(env.DeepCopy())
	switch {
	case env.Spec.Sleep == nil && override == nil:
	case env.Spec.Sleep == nil:
		env.Spec.Sleep = &v1alpha1.SleepSpec{Override: override}
	case override == nil && env.Spec.Sleep.Schedule == nil && env.Spec.Sleep.IdleAfter == nil:
		env.Spec.Sleep = nil // an empty spec.sleep is refused
	default:
		env.Spec.Sleep.Override = override
	}
	if !activity.IsZero() {
		markActivity(env, activity)
	}
	return c.Client.Patch(ctx, env, patch, client.FieldOwner(FieldManager))
}

// markActivity sets the annotation the idle rule counts as use.
func markActivity(env *v1alpha1.MirrorEnvironment, at time.Time) {
	if env.Annotations == nil {
		env.Annotations = map[string]string{}
	}
	env.Annotations[v1alpha1.AnnotationLastActivity] = at.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// touch marks the environment used (kubectl mirror up, open): the idle rule counts it.
func touch(ctx context.Context, c *Clients, env *v1alpha1.MirrorEnvironment, now time.Time) error {
	patch := client.MergeFrom(env.DeepCopy())
	markActivity(env, now)
	return c.Client.Patch(ctx, env, patch, client.FieldOwner(FieldManager))
}

// Asleep reports whether the environment sleeps, or is being put to sleep by hand.
func Asleep(env *v1alpha1.MirrorEnvironment) bool {
	if st := env.Status.Sleep; st != nil && st.State == v1alpha1.SleepAsleep {
		return true
	}
	s := env.Spec.Sleep
	return s != nil && s.Override != nil && s.Override.State == v1alpha1.SleepAsleep
}

// waitAsleep waits until the operator reports the environment asleep.
func waitAsleep(ctx context.Context, c *Clients, name string, generation int64, timeout time.Duration) error {
	last := ""
	return poll(ctx, timeout, name+" to fall asleep", func(ctx context.Context) (bool, error) {
		env, err := getEnvironment(ctx, c, name)
		if err != nil {
			return false, err
		}
		if env.Status.ObservedGeneration >= generation && env.Status.Phase == v1alpha1.PhaseSleeping {
			return true, nil
		}
		last = "phase " + phaseOrPending(env.Status.Phase)
		if cond := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionSleeping); cond != nil {
			last += ": " + cond.Message
		}
		return false, nil
	}, func() string { return last })
}

// wakeOrTouch is what up does to an existing environment besides applying it: it is being
// worked on, so a sleeping one wakes (for DefaultWakeFor) and an awake one is marked used. It
// returns the environment's generation afterwards.
func (u *upOptions) wakeOrTouch(ctx context.Context, c *Clients, name string) (int64, error) {
	env, err := getEnvironment(ctx, c, name)
	if err != nil {
		return 0, err
	}
	now := u.Now()
	if !Asleep(env) {
		return env.Generation, touch(ctx, c, env, now)
	}
	override := &v1alpha1.SleepOverride{State: v1alpha1.SleepAwake, Until: &metav1.Time{Time: now.Add(DefaultWakeFor).Truncate(time.Second)}}
	if err := setSleepOverride(ctx, c, env, override, now); err != nil {
		return 0, fmt.Errorf("waking MirrorEnvironment %s/%s: %w", c.Namespace, name, err)
	}
	fmt.Fprintf(u.Out, "mirrorenvironment %s/%s was asleep: awake %s\n", c.Namespace, name, untilText(override.Until, now))
	return env.Generation, nil
}
