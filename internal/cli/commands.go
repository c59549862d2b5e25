package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

func newListCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List environments across namespaces (only -n's namespace when -n is given)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := o.clients()
			if err != nil {
				return err
			}
			var list v1alpha1.MirrorEnvironmentList
			var opts []client.ListOption
			if c.NamespaceSet {
				opts = append(opts, client.InNamespace(c.Namespace))
			}
			err = c.Client.List(cmd.Context(), &list, opts...)
			if apierrors.IsForbidden(err) && !c.NamespaceSet {
				fmt.Fprintf(o.ErrOut, "(you may not list environments in all namespaces; showing namespace %s)\n", c.Namespace)
				err = c.Client.List(cmd.Context(), &list, client.InNamespace(c.Namespace))
			}
			if err != nil {
				return err
			}
			if len(list.Items) == 0 {
				fmt.Fprintln(o.ErrOut, "No MirrorEnvironments found.")
				return nil
			}
			slices.SortFunc(list.Items, func(a, b v1alpha1.MirrorEnvironment) int {
				return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
			})
			return RenderList(o.Out, list.Items, o.Now())
		},
	}
}

func newStatusCommand(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "status [NAME]",
		Short: "Show the parity report of an environment, axis by axis",
		Long: `Show how the copy matches prod, axis by axis: infrastructure (workloads, isolation, kinds not
copied), dependencies (each image's prod reference and the copy's, stand-ins' versions),
configuration (keys generated, kept, templated, replaced), data (rows per table, seeding state)
and drift. NAME defaults to the environment of --branch (or the current git branch).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				return err
			}
			return RenderStatus(o.Out, env, o.Now())
		},
	}
}

// environment reads the environment named by args (or derived from the branch).
func (o *Options) environment(ctx context.Context, args []string) (*Clients, *v1alpha1.MirrorEnvironment, error) {
	name, err := o.environmentName(args)
	if err != nil {
		return nil, nil, err
	}
	c, err := o.clients()
	if err != nil {
		return nil, nil, err
	}
	env, err := getEnvironment(ctx, c, name)
	if apierrors.IsNotFound(err) {
		return nil, nil, &notFoundError{name: name, namespace: c.Namespace}
	}
	return c, env, err
}

// notFoundError says which environment does not exist, and how to find the ones that do.
type notFoundError struct{ name, namespace string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("no MirrorEnvironment %s in namespace %s (kubectl mirror ls lists them)", e.name, e.namespace)
}

// ParseExpiry reads extend's argument: a duration from now ("+24h", "24h", "90m") or an RFC 3339
// time. A time that is not in the future is refused: to remove an environment now, use down.
func ParseExpiry(arg string, now time.Time) (time.Time, error) {
	var at time.Time
	if t, err := time.Parse(time.RFC3339, arg); err == nil {
		at = t
	} else {
		d, err := time.ParseDuration(strings.TrimPrefix(arg, "+"))
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is neither a duration such as +24h nor a time such as 2026-12-01T18:00:00Z", arg)
		}
		at = now.Add(d)
	}
	at = at.Truncate(time.Second) // the API keeps whole seconds
	if !at.After(now) {
		return time.Time{}, fmt.Errorf("%s is not in the future; kubectl mirror down removes an environment now", at.UTC().Format(time.RFC3339))
	}
	return at, nil
}

func newExtendCommand(o *Options) *cobra.Command {
	var wait bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "extend [NAME] DURATION|TIME",
		Short: "Move an environment's expiry: now + DURATION (e.g. +24h), or an RFC 3339 TIME",
		Long: `Set spec.expiresAt to now + DURATION (or to TIME), which overrides the ttl. The operator
refuses a time beyond its maximum lifetime (--max-ttl) and says so in the Ready condition;
--wait waits until status.expiresAt shows the new time (exit 2 when it is refused).`,
		Example: "  kubectl mirror extend +24h\n  kubectl mirror extend checkout-fix-42 72h --wait",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := o.Now()
			at, err := ParseExpiry(args[len(args)-1], now)
			if err != nil {
				return err
			}
			c, env, err := o.environment(cmd.Context(), args[:len(args)-1])
			if err != nil {
				return err
			}
			patch := client.MergeFrom(env.DeepCopy())
			env.Spec.ExpiresAt = &metav1.Time{Time: at}
			if err := c.Client.Patch(cmd.Context(), env, patch, client.FieldOwner(FieldManager)); err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "mirrorenvironment %s/%s expires at %s\n", env.Namespace, env.Name, timeAndAge(at, now.Truncate(time.Second)))
			if !wait {
				return nil
			}
			return waitExpiry(cmd.Context(), c, env.Name, env.Generation, at, timeout)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "Wait until the operator reports the new expiry in status.expiresAt")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "How long --wait waits")
	return cmd
}

// waitExpiry waits until status.expiresAt is at, or a condition says the operator refused it.
func waitExpiry(ctx context.Context, c *Clients, name string, generation int64, at time.Time, timeout time.Duration) error {
	last := ""
	return poll(ctx, timeout, "the operator to confirm the new expiry", func(ctx context.Context) (bool, error) {
		env, err := getEnvironment(ctx, c, name)
		if err != nil {
			return false, err
		}
		if env.Status.ExpiresAt != nil && env.Status.ExpiresAt.Time.Equal(at) {
			return true, nil
		}
		for _, cond := range env.Status.Conditions {
			if cond.Reason == v1alpha1.ReasonExpiryTooFar && cond.ObservedGeneration >= generation {
				return false, &ExitErr{Code: ExitFailed, Err: fmt.Errorf("the operator refused the new expiry: %s", cond.Message)}
			}
		}
		last = "status.expiresAt is still " + expiry(env, time.Now())
		return false, nil
	}, func() string { return last })
}

func newDownCommand(o *Options) *cobra.Command {
	var wait, ignoreNotFound bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "down [NAME]",
		Short: "Delete an environment; its namespace and everything in it go with it",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				var nf *notFoundError
				if ignoreNotFound && errors.As(err, &nf) {
					fmt.Fprintln(o.Out, err.Error())
					return nil
				}
				return err
			}
			target := mirror.TargetNamespace(env)
			err = c.Client.Delete(cmd.Context(), env, client.Preconditions{UID: &env.UID})
			if client.IgnoreNotFound(err) != nil {
				return err
			}
			fmt.Fprintf(o.Out, "mirrorenvironment %s/%s deleted (namespace %s goes with it)\n", env.Namespace, env.Name, target)
			if !wait {
				return nil
			}
			return waitGone(cmd.Context(), o, c, env, target, timeout)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "Wait until the environment and its namespace are gone")
	cmd.Flags().BoolVar(&ignoreNotFound, "ignore-not-found", false, "Exit 0 when there is no such environment (e.g. it expired)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "How long --wait waits")
	return cmd
}

// waitGone waits until the environment and then its target namespace no longer exist. A caller
// who may not read namespaces waits for the environment only.
func waitGone(ctx context.Context, o *Options, c *Clients, env *v1alpha1.MirrorEnvironment, target string, timeout time.Duration) error {
	last := ""
	envGone := false
	err := poll(ctx, timeout, "the environment and its namespace to go", func(ctx context.Context) (bool, error) {
		if !envGone {
			_, err := getEnvironment(ctx, c, env.Name)
			switch {
			case apierrors.IsNotFound(err):
				envGone = true
				fmt.Fprintf(o.Out, "mirrorenvironment %s/%s is gone\n", env.Namespace, env.Name)
			case err != nil:
				return false, err
			default:
				last = "the MirrorEnvironment still exists (its finalizer removes the namespace first)"
				return false, nil
			}
		}
		var ns corev1.Namespace
		err := c.Client.Get(ctx, client.ObjectKey{Name: target}, &ns)
		switch {
		case apierrors.IsNotFound(err):
			fmt.Fprintf(o.Out, "namespace %s is gone\n", target)
			return true, nil
		case apierrors.IsForbidden(err):
			fmt.Fprintf(o.ErrOut, "(you may not read namespace %s; not waiting for it)\n", target)
			return true, nil
		case err != nil:
			return false, err
		}
		last = fmt.Sprintf("namespace %s is %s", target, ns.Status.Phase)
		return false, nil
	}, func() string { return last })
	return err
}
