package cli

import (
	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// registerCompletions completes NAME arguments with the environments of the namespace, so
// `kubectl mirror status <TAB>` works (cobra's own `completion` command writes the scripts).
func registerCompletions(o *Options, root *cobra.Command) {
	names := func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := o.clients()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var list v1alpha1.MirrorEnvironmentList
		if err := c.Client.List(cmd.Context(), &list, client.InNamespace(c.Namespace)); err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		out := make([]string, 0, len(list.Items))
		for _, e := range list.Items {
			out = append(out, e.Name+"\t"+e.Spec.Branch)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "status", "extend", "down", "logs", "open":
			cmd.ValidArgsFunction = names
		}
	}
}
