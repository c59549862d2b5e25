package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

func newLogsCommand(o *Options) *cobra.Command {
	var database string
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs [NAME]",
		Short: "Print the logs of a database's seeding Job (--seed DB; default: the only database)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				return err
			}
			db, err := SeedDatabase(env, database)
			if err != nil {
				return err
			}
			pod, err := seedPod(cmd.Context(), c, mirror.TargetNamespace(env), db)
			if err != nil {
				return err
			}
			fmt.Fprintf(o.ErrOut, "(pod %s/%s of Job %s)\n", pod.Namespace, pod.Name, db.Job)
			stream, err := c.Kube.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Follow: follow}).Stream(cmd.Context())
			if err != nil {
				return err
			}
			defer stream.Close()
			_, err = io.Copy(o.Out, stream)
			return err
		},
	}
	cmd.Flags().StringVar(&database, "seed", "", "The database (an entry of spec.data) whose seeding logs to print")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "Stream the logs while the Job runs")
	return cmd
}

// SeedDatabase picks the database whose seeding logs `logs` prints: the named one, or the only
// one. It must have a seeding Job in its status.
func SeedDatabase(env *v1alpha1.MirrorEnvironment, name string) (v1alpha1.DatabaseStatus, error) {
	var names []string
	for _, d := range env.Spec.Data {
		names = append(names, d.Name)
	}
	switch {
	case len(names) == 0:
		return v1alpha1.DatabaseStatus{}, fmt.Errorf("%s has no databases (spec.data is empty)", env.Name)
	case name == "" && len(names) > 1:
		return v1alpha1.DatabaseStatus{}, fmt.Errorf("%s has %d databases: pass --seed with one of %s", env.Name, len(names), strings.Join(names, ", "))
	case name == "":
		name = names[0]
	case !slices.Contains(names, name):
		return v1alpha1.DatabaseStatus{}, fmt.Errorf("%s has no database %q (it has %s)", env.Name, name, strings.Join(names, ", "))
	}
	for _, d := range env.Status.Data {
		if d.Name == name && d.Job != "" {
			return d, nil
		}
	}
	return v1alpha1.DatabaseStatus{}, fmt.Errorf("database %s has no seeding Job yet (kubectl mirror status %s shows where it stands)", name, env.Name)
}

// seedPod is the newest pod of the database's seeding Job.
func seedPod(ctx context.Context, c *Clients, namespace string, db v1alpha1.DatabaseStatus) (*corev1.Pod, error) {
	var pods corev1.PodList
	if err := c.Client.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels{batchv1.JobNameLabel: db.Job}); err != nil {
		return nil, err
	}
	if len(pods.Items) == 0 {
		return nil, fmt.Errorf("the seeding Job %s/%s of database %s has no pod (it may have been cleaned up after it finished)", namespace, db.Job, db.Name)
	}
	newest := slices.MaxFunc(pods.Items, func(a, b corev1.Pod) int {
		return a.CreationTimestamp.Compare(b.CreationTimestamp.Time)
	})
	return &newest, nil
}
