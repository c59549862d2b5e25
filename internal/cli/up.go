package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

type upOptions struct {
	*Options
	from, name, ttl, file string
	set                   []string
	wait, noAccess        bool
	timeout, grace        time.Duration
}

func newUpCommand(o *Options) *cobra.Command {
	u := &upOptions{Options: o}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update the environment of a branch (server-side apply), and wait until it is Ready",
		Long: `Create or update the MirrorEnvironment of a branch with server-side apply (field manager
kubectl-mirror), then, with --wait, show its progress per axis until it is Ready.

The name is derived from the branch: the branch itself when it is a valid name, otherwise a
DNS-safe slug plus a hash of the exact branch (feature/x -> feature-x-3f1c9a2b). The caller
(as kubectl auth whoami reports it) is added to spec.access.subjects, so they get rights in the
copy's namespace; --no-access skips that.

Exit codes (for CI):
  0  the environment is Ready (or was applied, without --wait)
  1  the command failed: bad flags, the API refused the object, no access
  2  the environment failed: Stalled, or a failure phase; the reason and message are printed
  3  --timeout passed before it was Ready; the last condition message is printed`,
		Example: `  # in a checkout of feature/checkout-fix: a copy of shop-prod for this branch
  kubectl mirror up --from shop-prod --wait

  # CI: the branch's build replaces prod's api image; the copy goes away after 48h
  kubectl mirror up --branch "$HEAD_REF" --from shop-prod --set api=registry.example/api:$SHA --ttl 48h --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return u.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&u.from, "from", "", "Prod's namespace (default: the existing environment's, or the one MirrorSource granting this namespace)")
	f.StringVar(&u.name, "name", "", "Environment name (default: derived from the branch)")
	f.StringVar(&u.ttl, "ttl", "48h", `Lifetime from creation ("0" for none); kubectl mirror extend moves the expiry later`)
	f.StringArrayVar(&u.set, "set", nil, "Override an image: workload=image or workload=container=image (repeatable)")
	f.StringVarP(&u.file, "filename", "f", "", "A MirrorEnvironment manifest whose spec is the base (data, config rules, ...); the flags are laid over it")
	f.BoolVar(&u.wait, "wait", false, "Wait until the environment is Ready, showing progress per axis")
	f.DurationVar(&u.timeout, "timeout", 10*time.Minute, "How long --wait waits")
	f.DurationVar(&u.grace, "failure-grace", DefaultFailureGrace, "How long a failure phase may last (the operator retries) before --wait gives up; Stalled ends the wait at once")
	f.BoolVar(&u.noAccess, "no-access", false, "Do not add the caller to spec.access.subjects")
	return cmd
}

func (u *upOptions) run(ctx context.Context) error {
	branch, err := u.branch()
	if err != nil {
		return err
	}
	name := u.name
	if name == "" {
		name = EnvironmentName(branch)
	}
	overrides := make([]v1alpha1.Override, 0, len(u.set))
	for _, s := range u.set {
		o, err := ParseOverride(s)
		if err != nil {
			return err
		}
		overrides = append(overrides, o)
	}
	var base map[string]any
	if u.file != "" {
		data, err := os.ReadFile(u.file)
		if err != nil {
			return err
		}
		if base, err = ReadBase(data); err != nil {
			return fmt.Errorf("%s: %w", u.file, err)
		}
	}
	c, err := u.clients()
	if err != nil {
		return err
	}
	existing, err := getEnvironment(ctx, c, name)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err == nil && existing.Spec.Branch != "" && existing.Spec.Branch != branch {
		return fmt.Errorf("MirrorEnvironment %s/%s already serves branch %q, not %q: pass --name to choose another name", c.Namespace, name, existing.Spec.Branch, branch)
	}
	if apierrors.IsNotFound(err) {
		existing = nil
	}
	desired := Desired{Name: name, Namespace: c.Namespace, Branch: branch, Source: u.from, Overrides: overrides, Base: base}
	if u.ttl != "0" && u.ttl != "" {
		desired.TTL = u.ttl
	}
	if desired.Source == "" && (base == nil || base["source"] == nil) {
		if desired.Source, err = u.defaultSource(ctx, c, existing); err != nil {
			return err
		}
	}
	desired.Subjects = u.subjects(ctx, c, existing)
	obj, err := Manifest(desired)
	if err != nil {
		return err
	}
	if err := c.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying MirrorEnvironment %s/%s: %w", c.Namespace, name, err)
	}
	verb, generation := "created", obj.GetGeneration()
	if existing != nil {
		verb = "updated"
		woken, err := u.wakeOrTouch(ctx, c, name)
		if err != nil {
			return err
		}
		generation = max(generation, woken)
	}
	fmt.Fprintf(u.Out, "mirrorenvironment %s/%s %s (branch %s)\n", c.Namespace, name, verb, branch)
	if !u.wait {
		fmt.Fprintf(u.Out, "follow it with: kubectl mirror status %s -n %s\n", name, c.Namespace)
		return nil
	}
	return u.waitReady(ctx, c, name, generation)
}

// defaultSource is the existing environment's source, or the one namespace whose MirrorSource
// grants the environment's namespace.
func (u *upOptions) defaultSource(ctx context.Context, c *Clients, existing *v1alpha1.MirrorEnvironment) (string, error) {
	if existing != nil {
		return existing.Spec.Source.Namespace, nil
	}
	sources, err := grantingSources(ctx, c)
	switch {
	case err != nil:
		return "", fmt.Errorf("pass --from (prod's namespace); the MirrorSources granting namespace %s could not be read: %w", c.Namespace, err)
	case len(sources) == 1:
		return sources[0], nil
	case len(sources) > 1:
		return "", fmt.Errorf("pass --from: MirrorSources in %s grant namespace %s", strings.Join(sources, ", "), c.Namespace)
	}
	return "", fmt.Errorf("pass --from (prod's namespace): no MirrorSource grants namespace %s", c.Namespace)
}

// grantingSources are the namespaces with a MirrorSource that lets c.Namespace mirror them.
func grantingSources(ctx context.Context, c *Clients) ([]string, error) {
	var list v1alpha1.MirrorSourceList
	if err := c.Client.List(ctx, &list); err != nil {
		return nil, err
	}
	var nsLabels labels.Set
	var ns corev1.Namespace
	if err := c.Client.Get(ctx, client.ObjectKey{Name: c.Namespace}, &ns); err == nil {
		nsLabels = ns.Labels
	}
	var out []string
	for _, src := range list.Items {
		for _, from := range src.Spec.From {
			if grants(from, c.Namespace, nsLabels) && !slices.Contains(out, src.Namespace) {
				out = append(out, src.Namespace)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func grants(from v1alpha1.MirrorSourceFrom, ns string, nsLabels labels.Set) bool {
	if from.Namespace != "" {
		return from.Namespace == ns
	}
	if from.NamespaceSelector == nil || nsLabels == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(from.NamespaceSelector)
	return err == nil && sel.Matches(nsLabels)
}

// subjects keeps the existing environment's subjects and adds the caller, unless --no-access.
func (u *upOptions) subjects(ctx context.Context, c *Clients, existing *v1alpha1.MirrorEnvironment) []v1alpha1.AccessSubject {
	var out []v1alpha1.AccessSubject
	if existing != nil && existing.Spec.Access != nil {
		out = append(out, existing.Spec.Access.Subjects...)
	}
	if u.noAccess {
		return out
	}
	review, err := c.Kube.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		fmt.Fprintf(u.ErrOut, "warning: who you are could not be read (SelfSubjectReview: %v); you are not added to spec.access\n", err)
		return out
	}
	if s, ok := SubjectFor(review.Status.UserInfo.Username); ok {
		out = append(out, s)
	}
	return out
}

// waitReady shows progress until the environment is Ready, failed, or the timeout passes.
func (u *upOptions) waitReady(ctx context.Context, c *Clients, name string, generation int64) error {
	start := u.Now()
	waiter := &Waiter{Generation: generation, Grace: u.grace}
	var printer ProgressPrinter
	var env *v1alpha1.MirrorEnvironment
	var outcome Outcome
	fmt.Fprintf(u.Out, "waiting up to %s for %s to be Ready\n", u.timeout, name)
	err := poll(ctx, u.timeout, name+" to be Ready", func(ctx context.Context) (bool, error) {
		var err error
		if env, err = getEnvironment(ctx, c, name); err != nil {
			if apierrors.IsNotFound(err) {
				return false, &ExitErr{Code: ExitFailed, Err: fmt.Errorf("MirrorEnvironment %s/%s was deleted while waiting", c.Namespace, name)}
			}
			return false, err
		}
		elapsed := u.Now().Sub(start).Round(time.Second)
		for _, line := range printer.Lines(env) {
			fmt.Fprintf(u.Out, "[%5s] %s\n", elapsed, line)
		}
		outcome = waiter.Observe(env, u.Now())
		switch outcome.Verdict {
		case Failed:
			return false, &ExitErr{Code: ExitFailed, Err: fmt.Errorf("MirrorEnvironment %s/%s failed: %s", c.Namespace, name, outcome)}
		case Succeeded:
			return true, nil
		}
		return false, nil
	}, func() string { return outcome.String() })
	if err != nil {
		return err
	}
	fmt.Fprintf(u.Out, "\n%s is Ready after %s\n", name, u.Now().Sub(start).Round(time.Second))
	printReached(u.Out, env)
	return nil
}

func getEnvironment(ctx context.Context, c *Clients, name string) (*v1alpha1.MirrorEnvironment, error) {
	env := &v1alpha1.MirrorEnvironment{}
	err := c.Client.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: name}, env)
	return env, err
}

// printReached prints where the copy is: its namespace and its URLs (or how to reach it).
func printReached(w interface{ Write([]byte) (int, error) }, env *v1alpha1.MirrorEnvironment) {
	fmt.Fprintf(w, "namespace: %s\n", mirror.TargetNamespace(env))
	for _, url := range env.Status.URLs {
		fmt.Fprintf(w, "url: %s\n", url)
	}
	if len(env.Status.URLs) == 0 {
		fmt.Fprintf(w, "no URL reported: kubectl mirror open %s -n %s port-forwards to its frontend\n", env.Name, env.Namespace)
	}
}
