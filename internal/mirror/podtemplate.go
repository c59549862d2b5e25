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
	return out, images
}

// container transforms one container in place and reports its image.
func (b *Builder) container(kind, workload string, c *corev1.Container, init bool, first string) v1alpha1.ContainerImageStatus {
	st := v1alpha1.ContainerImageStatus{Name: c.Name, Init: init, SourceImage: c.Image}
	scrub := b.opts.Scrubber
	c.Env = scrub.Env(workload, c.Name, c.Env)
	c.Command = scrub.Args(workload, c.Name, c.Command)
	c.Args = scrub.Args(workload, c.Name, c.Args)
	c.Resources = ScaleResources(c.Resources, b.opts.Env.Spec.Workloads.Resources)

	if o := b.override(workload, c.Name, !init && c.Name == first); o != nil {
		if o.Image != "" {
			c.Image = string(o.Image)
			st.Overridden = true
		}
		c.Env = setEnv(c.Env, o.Env)
	}
	if !st.Overridden {
		c.Image, st.Pinned = b.pinned(kind, workload, c)
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

// pinned applies the version policy to a container's image.
func (b *Builder) pinned(kind, workload string, c *corev1.Container) (string, bool) {
	if HasDigest(c.Image) {
		return c.Image, true
	}
	if b.opts.Env.Spec.Versions.Policy == v1alpha1.VersionKeepTag {
		return c.Image, false
	}
	pin := b.pins.Get(kind, workload, c.Name)
	if pin.Digest == "" {
		reason := pin.Reason
		if reason == "" {
			reason = "no digest known"
		}
		b.unpinned = append(b.unpinned, fmt.Sprintf("%s/%s container %s (%s): %s", kind, workload, c.Name, c.Image, reason))
		return c.Image, false
	}
	if pin.Reason != "" {
		b.notes = append(b.notes, fmt.Sprintf("%s/%s container %s: %s", kind, workload, c.Name, pin.Reason))
	}
	return PinImage(c.Image, pin.Digest), true
}

// setEnv sets vars by name, replacing existing ones in place and appending new ones in order.
func setEnv(env []corev1.EnvVar, set []corev1.EnvVar) []corev1.EnvVar {
	for _, s := range set {
		replaced := false
		for i := range env {
			if env[i].Name == s.Name {
				env[i] = *s.DeepCopy()
				replaced = true
			}
		}
		if !replaced {
			env = append(env, *s.DeepCopy())
		}
	}
	return env
}
