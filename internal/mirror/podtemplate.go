package mirror

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// podTemplate copies a workload's pod template: images pinned or overridden, env and args
// rewritten and scrubbed, resources scaled, and nothing that ties a pod to prod's nodes.
func (b *Builder) podTemplate(kind, name string, in *corev1.PodTemplateSpec) (corev1.PodTemplateSpec, []v1alpha1.ContainerImageStatus) {
	out := corev1.PodTemplateSpec{
		ObjectMeta: b.templateMeta(kind, name, in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	spec := &out.Spec
	spec.NodeName = "" // prod's node, meaningless in the copy
	if spec.DNSConfig != nil {
		// A search domain names the namespace itself ("shop-prod.svc.cluster.local"), with no
		// service label in front for the general rewrite to recognise.
		src := b.opts.Env.Spec.Source.Namespace
		for i, s := range spec.DNSConfig.Searches {
			if rest, ok := strings.CutPrefix(s, src+".svc"); ok && (rest == "" || strings.HasPrefix(rest, ".")) {
				s = b.opts.TargetNamespace + ".svc" + rest
			}
			spec.DNSConfig.Searches[i] = b.opts.Scrubber.Rewrite(s)
		}
	}
	for i, h := range spec.HostAliases {
		for j, hn := range h.Hostnames {
			spec.HostAliases[i].Hostnames[j] = b.opts.Scrubber.Rewrite(hn)
		}
	}

	var images []v1alpha1.ContainerImageStatus
	first := ""
	if len(spec.Containers) > 0 {
		first = spec.Containers[0].Name
	}
	for i := range spec.InitContainers {
		images = append(images, b.container(kind, name, &spec.InitContainers[i], true, ""))
	}
	for i := range spec.Containers {
		images = append(images, b.container(kind, name, &spec.Containers[i], false, first))
	}
	// Ephemeral containers are added to running pods by kubectl debug, not templates; one in a
	// template is still prod's text and goes through the same scrubbing (its image is kept).
	for i := range spec.EphemeralContainers {
		c := (*corev1.Container)(&spec.EphemeralContainers[i].EphemeralContainerCommon)
		b.scrubContainer(name, c)
	}
	return out, images
}

// scrubContainer passes every text field of a container that can carry configuration through
// the scrubber: env values, command and args (as one argv, so "sh -c" meets its script), probes'
// exec commands and HTTP headers, lifecycle hooks, and the hosts probes and hooks call.
func (b *Builder) scrubContainer(workload string, c *corev1.Container) {
	scrub := b.opts.Scrubber
	c.Env = scrub.Env(workload, c.Name, c.Env)
	c.Command, c.Args = b.argv(workload, c.Name, c.Command, c.Args)
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		if p != nil {
			b.handler(workload, c.Name, &p.ProbeHandler.Exec, &p.ProbeHandler.HTTPGet, &p.ProbeHandler.TCPSocket)
		}
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []*corev1.LifecycleHandler{l.PostStart, l.PreStop} {
			if h != nil {
				b.handler(workload, c.Name, &h.Exec, &h.HTTPGet, &h.TCPSocket)
			}
		}
	}
}

// argv scrubs a container's command and args together and splits them back.
func (b *Builder) argv(workload, container string, command, args []string) ([]string, []string) {
	if command == nil && args == nil {
		return nil, nil
	}
	all := b.opts.Scrubber.Args(workload, container, append(append([]string{}, command...), args...))
	outCommand, outArgs := all[:len(command):len(command)], all[len(command):]
	if command == nil {
		outCommand = nil
	}
	if args == nil {
		outArgs = nil
	}
	return outCommand, outArgs
}

// handler scrubs a probe's or lifecycle hook's action: an exec command as argv, HTTP headers as
// key/value pairs (Authorization: Bearer ...), hosts rewritten.
func (b *Builder) handler(workload, container string, exec **corev1.ExecAction, get **corev1.HTTPGetAction, tcp **corev1.TCPSocketAction) {
	scrub := b.opts.Scrubber
	if *exec != nil {
		(*exec).Command = scrub.Args(workload, container, (*exec).Command)
	}
	if g := *get; g != nil {
		g.Host = scrub.Rewrite(g.Host)
		g.Path = scrub.Value("probe/"+workload+"/"+container, "path", g.Path)
		for i, h := range g.HTTPHeaders {
			g.HTTPHeaders[i].Value = scrub.Value("probe/"+workload+"/"+container, h.Name, h.Value)
		}
	}
	if t := *tcp; t != nil {
		t.Host = scrub.Rewrite(t.Host)
	}
}

// container transforms one container in place and reports its image.
func (b *Builder) container(kind, workload string, c *corev1.Container, init bool, first string) v1alpha1.ContainerImageStatus {
	st := v1alpha1.ContainerImageStatus{Name: c.Name, Init: init, SourceImage: c.Image}
	b.scrubContainer(workload, c)
	c.Resources = ScaleResources(c.Resources, b.opts.Env.Spec.Workloads.Resources)

	if o := b.override(workload, c.Name, !init && c.Name == first); o != nil {
		if o.Image != "" {
			c.Image = string(o.Image)
			st.Overridden = true
		}
		c.Env = setEnv(c.Env, o.Env)
	}
	if !st.Overridden {
		c.Image, st.Pinned, st.Reason = b.pinned(kind, workload, c)
	}
	st.Image = c.Image
	return st
}

// override finds the override for a container: by its name, or with no container named, for
// the workload's first container.
func (b *Builder) override(workload, container string, isFirst bool) *overrideUse {
	if o, ok := b.overrides[overrideKey{workload, container}]; ok {
		o.used = true
		return o
	}
	if isFirst {
		if o, ok := b.overrides[overrideKey{workload, ""}]; ok {
			o.used = true
			return o
		}
	}
	return nil
}

// pinned applies the version policy to a container's image, and says why it is not pinned (or
// what is worth knowing about its pin).
func (b *Builder) pinned(kind, workload string, c *corev1.Container) (string, bool, string) {
	if HasDigest(c.Image) {
		return c.Image, true, ""
	}
	if b.opts.Env.Spec.Versions.Policy == v1alpha1.VersionKeepTag {
		return c.Image, false, "spec.versions.policy is KeepTag"
	}
	pin := b.pins.Get(kind, workload, c.Name)
	if pin.Digest == "" {
		reason := pin.Reason
		if reason == "" {
			reason = "no digest known"
		}
		b.unpinned = append(b.unpinned, fmt.Sprintf("%s/%s container %s (%s): %s", kind, workload, c.Name, c.Image, reason))
		return c.Image, false, reason
	}
	if pin.Reason != "" {
		b.notes = append(b.notes, fmt.Sprintf("%s/%s container %s: %s", kind, workload, c.Name, pin.Reason))
	}
	return PinImage(c.Image, pin.Digest), true, pin.Reason
}

// setEnv sets vars by name, replacing existing ones in place and appending new ones in order.
func setEnv(env []corev1.EnvVar, set []v1alpha1.EnvVar) []corev1.EnvVar {
	for _, s := range set {
		replaced := false
		for i := range env {
			if env[i].Name == s.Name {
				env[i] = s.Core()
				replaced = true
			}
		}
		if !replaced {
			env = append(env, s.Core())
		}
	}
	return env
}
