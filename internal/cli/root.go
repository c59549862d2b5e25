// Package cli is `kubectl mirror`: the per-branch workflow on top of the MirrorEnvironment API
// (up, ls, status, extend, down, logs, open, sleep, wake). Its pure parts (names from branches, the manifest
// `up` applies, progress, the wait verdict, the status report) are table-tested; the commands
// only read flags, call the API and print.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Exit codes, for CI jobs. Documented in docs/user-guide.md and `kubectl mirror up --help`.
const (
	// ExitOK: done (up --wait: the environment is Ready).
	ExitOK = 0
	// ExitError: the command could not do its work (bad flags, the API refused, no access).
	ExitError = 1
	// ExitFailed: the environment failed (Stalled, or a failure phase); the message says why.
	ExitFailed = 2
	// ExitTimeout: --timeout passed before the environment got where it was waited for.
	ExitTimeout = 3
)

// ExitErr carries an exit code with its message.
type ExitErr struct {
	Code int
	Err  error
}

func (e *ExitErr) Error() string { return e.Err.Error() }
func (e *ExitErr) Unwrap() error { return e.Err }

// ExitCode is the process exit code for an error returned by a command.
func ExitCode(err error) int {
	var e *ExitErr
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &e):
		return e.Code
	}
	return ExitError
}

// Options are the flags every command shares: kubectl's connection flags, and the branch that
// names the environment when no NAME is given.
type Options struct {
	genericiooptions.IOStreams
	Config *genericclioptions.ConfigFlags
	Branch string
	// Now is the clock (tests set it).
	Now func() time.Time
}

// Clients are what the commands talk to the cluster with.
type Clients struct {
	Client    client.Client
	Kube      kubernetes.Interface
	REST      *rest.Config
	Namespace string
	// NamespaceSet is true when -n was given (ls then lists only that namespace).
	NamespaceSet bool
}

// NewCommand is `kubectl mirror`.
func NewCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{IOStreams: streams, Config: genericclioptions.NewConfigFlags(true), Now: time.Now}
	root := &cobra.Command{
		Use:   "kubectl-mirror",
		Short: "Per-branch copies of production: kubectl mirror up, status, down",
		Long: `kubectl mirror manages MirrorEnvironments: copies of a production namespace at prod's exact
image digests, with scrubbed configuration and synthetic data, one per git branch.

The environment's name is derived from the branch (--branch, default: the current git branch)
unless NAME is given, so in a checkout "kubectl mirror up --from shop-prod --wait" and then
"kubectl mirror status" need no name at all.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl mirror",
		},
	}
	o.Config.AddFlags(root.PersistentFlags())
	root.PersistentFlags().StringVar(&o.Branch, "branch", "", "Git branch the environment serves (default: the current git branch)")
	root.AddCommand(newUpCommand(o), newListCommand(o), newStatusCommand(o), newExtendCommand(o),
		newDownCommand(o), newLogsCommand(o), newOpenCommand(o), newSleepCommand(o), newWakeCommand(o))
	registerCompletions(o, root)
	return root
}

// clients builds the API clients from kubectl's flags and kubeconfig.
func (o *Options) clients() (*Clients, error) {
	cfg, err := o.Config.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "kubectl-mirror/" + rest.DefaultKubernetesUserAgent()
	ns, explicit, err := o.Config.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Client: c, Kube: kube, REST: cfg, Namespace: ns, NamespaceSet: explicit}, nil
}

// branch is --branch, or the current git branch.
func (o *Options) branch() (string, error) {
	if o.Branch != "" {
		return o.Branch, nil
	}
	return CurrentBranch()
}

// environmentName is NAME when given, else the name derived from the branch.
func (o *Options) environmentName(args []string) (string, error) {
	if len(args) > 0 && args[0] != "" {
		return args[0], nil
	}
	b, err := o.branch()
	if err != nil {
		return "", fmt.Errorf("no NAME given and %w", err)
	}
	return EnvironmentName(b), nil
}

// CurrentBranch is the checked-out git branch; with a detached HEAD (as in CI), the branch a CI
// system names in its environment (GitHub Actions' GITHUB_HEAD_REF, GitLab's
// CI_MERGE_REQUEST_SOURCE_BRANCH_NAME or CI_COMMIT_BRANCH).
func CurrentBranch() (string, error) {
	out, err := exec.Command("git", "symbolic-ref", "--quiet", "--short", "HEAD").Output()
	if b := strings.TrimSpace(string(out)); err == nil && b != "" {
		return b, nil
	}
	for _, v := range []string{"GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH"} {
		if b := os.Getenv(v); b != "" {
			return b, nil
		}
	}
	return "", errors.New("the current git branch is unknown (not in a git checkout, or a detached HEAD): pass --branch")
}

// pollEvery is how often waiting commands read the environment.
const pollEvery = 2 * time.Second

// poll calls check every pollEvery until it returns done, an error, or the timeout passes
// (then it returns a timeout ExitErr with what last() says).
func poll(ctx context.Context, timeout time.Duration, what string, check func(context.Context) (bool, error), last func() string) error {
	// The checks get the caller's context, not the deadline's: a request cut short by the
	// deadline would report a client error instead of the timeout.
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			msg := fmt.Sprintf("timed out after %s waiting for %s", timeout, what)
			if l := last(); l != "" {
				msg += ": " + l
			}
			return &ExitErr{Code: ExitTimeout, Err: errors.New(msg)}
		case <-t.C:
		}
	}
}
