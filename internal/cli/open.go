package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

type openOptions struct {
	*Options
	service, address string
	port             int
	print            bool
}

func newOpenCommand(o *Options) *cobra.Command {
	op := &openOptions{Options: o}
	cmd := &cobra.Command{
		Use:   "open [NAME]",
		Short: "Print the environment's URL, or port-forward its first Service when it has no Ingress",
		Long: `Print the environment's URLs (the copy's Ingress hosts, from status.urls). When it has none,
port-forward the first Service of the copy (or --service) to 127.0.0.1 until interrupted;
--print only prints how to reach it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, env, err := o.environment(cmd.Context(), args)
			if err != nil {
				return err
			}
			return op.run(cmd.Context(), c, env)
		},
	}
	cmd.Flags().StringVar(&op.service, "service", "", "Service to port-forward (default: the one status.urls names, else the first by name)")
	cmd.Flags().IntVar(&op.port, "port", 0, "Local port (default: the Service's port when it is 1024 or above, else 8080)")
	cmd.Flags().StringVar(&op.address, "address", "127.0.0.1", "Local address to listen on")
	cmd.Flags().BoolVar(&op.print, "print", false, "Only print the URL or the port-forward command; do not forward")
	return cmd
}

func (op *openOptions) run(ctx context.Context, c *Clients, env *v1alpha1.MirrorEnvironment) error {
	if Asleep(env) {
		msg := fmt.Sprintf("mirrorenvironment %s/%s is asleep (nothing of it runs): kubectl mirror wake %s -n %s --wait", env.Namespace, env.Name, env.Name, env.Namespace)
		if !op.print {
			return errors.New(msg)
		}
		fmt.Fprintln(op.ErrOut, "warning: "+msg)
	}
	// Opening it is using it: the idle rule of spec.sleep counts it.
	if err := touch(ctx, c, env, op.Now()); err != nil {
		fmt.Fprintf(op.ErrOut, "warning: could not mark the environment used (%v); its idle rule does not see this visit\n", err)
	}
	if urls := WebURLs(env.Status.URLs); len(urls) > 0 && op.service == "" {
		for _, u := range urls {
			fmt.Fprintln(op.Out, u)
		}
		return nil
	}
	ns := mirror.TargetNamespace(env)
	svc, err := op.pickService(ctx, c, ns, env.Status.URLs)
	if err != nil {
		return err
	}
	if len(svc.Spec.Ports) == 0 {
		return fmt.Errorf("service %s/%s has no ports", ns, svc.Name)
	}
	port := svc.Spec.Ports[0]
	local := op.port
	if local == 0 {
		local = int(port.Port)
		if local < 1024 {
			local = 8080
		}
	}
	if op.print {
		fmt.Fprintf(op.Out, "kubectl port-forward -n %s svc/%s %d:%d\n", ns, svc.Name, local, port.Port)
		return nil
	}
	pod, remote, err := backingPod(ctx, c, svc, port)
	if err != nil {
		return err
	}
	return op.forward(ctx, c, pod, local, remote)
}

// WebURLs are the http(s) entries of status.urls (the others are port-forward hints).
func WebURLs(urls []string) []string {
	var out []string
	for _, u := range urls {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			out = append(out, u)
		}
	}
	return out
}

var svcInHint = regexp.MustCompile(`\bsvc/([a-z0-9]([-a-z0-9]*[a-z0-9])?)`)

// pickService is --service, or the Service a port-forward hint in status.urls names, or the
// frontend the copy's Ingress routes "/" to, or the first Service by name that selects pods.
func (op *openOptions) pickService(ctx context.Context, c *Clients, ns string, urls []string) (*corev1.Service, error) {
	name := op.service
	for _, u := range urls {
		if m := svcInHint.FindStringSubmatch(u); name == "" && m != nil {
			name = m[1]
		}
	}
	if name == "" {
		var ings networkingv1.IngressList
		if err := c.Client.List(ctx, &ings, client.InNamespace(ns)); err == nil {
			name = FrontendBackend(ings.Items)
		}
	}
	if name != "" {
		svc := &corev1.Service{}
		return svc, c.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, svc)
	}
	var list corev1.ServiceList
	if err := c.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	list.Items = slices.DeleteFunc(list.Items, func(s corev1.Service) bool { return len(s.Spec.Selector) == 0 })
	if len(list.Items) == 0 {
		return nil, errNoURL
	}
	slices.SortFunc(list.Items, func(a, b corev1.Service) int { return strings.Compare(a.Name, b.Name) })
	return &list.Items[0], nil
}

// FrontendBackend is the Service the Ingresses route "/" to (the frontend), else the first
// Service they route to, else "".
func FrontendBackend(ings []networkingv1.Ingress) string {
	first := ""
	for _, ing := range ings {
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				if p.Backend.Service == nil {
					continue
				}
				if p.Path == "/" || p.Path == "" {
					return p.Backend.Service.Name
				}
				if first == "" {
					first = p.Backend.Service.Name
				}
			}
		}
	}
	return first
}

// errNoURL is returned by open when nothing can be shown or forwarded.
var errNoURL = errors.New("the environment reports no URL and its namespace has no Service to port-forward")

// backingPod is a running, ready pod the Service selects, and the container port its port
// targets.
func backingPod(ctx context.Context, c *Clients, svc *corev1.Service, port corev1.ServicePort) (*corev1.Pod, int, error) {
	var pods corev1.PodList
	if err := c.Client.List(ctx, &pods, client.InNamespace(svc.Namespace), client.MatchingLabelsSelector{Selector: labels.SelectorFromSet(svc.Spec.Selector)}); err != nil {
		return nil, 0, err
	}
	for i := range pods.Items {
		pod := &pods.Items[i]
		if pod.Status.Phase != corev1.PodRunning || pod.DeletionTimestamp != nil {
			continue
		}
		if remote, ok := TargetPort(pod, port); ok {
			return pod, remote, nil
		}
	}
	return nil, 0, fmt.Errorf("service %s/%s has no running pod to forward to", svc.Namespace, svc.Name)
}

// TargetPort resolves a Service port's targetPort (a number, a container port's name, or unset:
// the port itself) on a pod.
func TargetPort(pod *corev1.Pod, port corev1.ServicePort) (int, bool) {
	tp := port.TargetPort
	switch {
	case tp.Type == intstr.Int && tp.IntVal > 0:
		return int(tp.IntVal), true
	case tp.Type == intstr.String && tp.StrVal != "":
		for _, ctr := range pod.Spec.Containers {
			for _, p := range ctr.Ports {
				if p.Name == tp.StrVal {
					return int(p.ContainerPort), true
				}
			}
		}
		return 0, false
	}
	return int(port.Port), true
}

// forward port-forwards local to the pod's remote port until ctx ends, over websockets with a
// fallback to SPDY, as kubectl port-forward does.
func (op *openOptions) forward(ctx context.Context, c *Clients, pod *corev1.Pod, local, remote int) error {
	req := c.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("portforward")
	transport, upgrader, err := spdy.RoundTripperFor(c.REST)
	if err != nil {
		return err
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, req.URL())
	tunneling, err := portforward.NewSPDYOverWebsocketDialer(req.URL(), c.REST)
	if err != nil {
		return err
	}
	dialer = portforward.NewFallbackDialer(tunneling, dialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	ready := make(chan struct{})
	fw, err := portforward.NewOnAddressesWithContext(ctx, dialer, []string{op.address}, []string{strconv.Itoa(local) + ":" + strconv.Itoa(remote)}, ready, op.ErrOut, op.ErrOut)
	if err != nil {
		return err
	}
	go func() {
		select {
		case <-ready:
			fmt.Fprintf(op.Out, "http://%s:%d  (pod %s/%s port %d; Ctrl-C stops)\n", op.address, local, pod.Namespace, pod.Name, remote)
		case <-ctx.Done():
		}
	}()
	return fw.ForwardPorts()
}
