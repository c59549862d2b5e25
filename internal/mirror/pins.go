package mirror

import (
	"fmt"
	"sort"
	"strings"

	"github.com/distribution/reference"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/envmirror/envmirror/internal/source"
)

// Pin is the digest prod runs for one container of one workload.
type Pin struct {
	// Digest is "sha256:<hex>", empty when unknown.
	Digest string
	// Reason explains a missing or ambiguous digest.
	Reason string
}

// Pins maps "Kind/name" -> container name -> Pin.
type Pins map[string]map[string]Pin

func pinKey(kind, name string) string { return kind + "/" + name }

// Get returns the pin of a workload's container.
func (p Pins) Get(kind, name, container string) Pin {
	return p[pinKey(kind, name)][container]
}

// ResolvePins reads the digests prod's pods run from their container statuses, matched to each
// workload through its selector. Only pods whose spec runs the workload's current image count:
// during a rollout the old pods' digest is not what the spec asks for. When the remaining pods
// disagree (a tag moved between pod starts), the newest pod wins and the reason says so.
//
// CronJobs have no selector: their pods are matched by the Jobs' names ("<cronjob>-<n>"), and
// when no run is left to look at, an image reference is pinned to the digest prod runs for the
// same reference in another workload.
func ResolvePins(snap *source.Snapshot) Pins {
	pins := Pins{}
	for _, w := range snap.PodTemplates() {
		pods := podsOf(w, snap.Pods)
		// Newest first, so that disagreement resolves towards the latest start.
		sort.SliceStable(pods, func(i, j int) bool {
			return pods[j].CreationTimestamp.Before(&pods[i].CreationTimestamp)
		})
		m := map[string]Pin{}
		for _, c := range w.Template.Spec.InitContainers {
			m[c.Name] = pinFor(c, pods, func(p *corev1.Pod) []corev1.ContainerStatus { return p.Status.InitContainerStatuses })
		}
		for _, c := range w.Template.Spec.Containers {
			m[c.Name] = pinFor(c, pods, func(p *corev1.Pod) []corev1.ContainerStatus { return p.Status.ContainerStatuses })
		}
		pins[pinKey(w.Kind, w.Name)] = m
	}
	byImage := digestsByImage(snap.Pods)
	for _, w := range snap.PodTemplates() {
		m := pins[pinKey(w.Kind, w.Name)]
		for _, c := range source.Containers(&w.Template.Spec) {
			if m[c.Name].Digest != "" {
				continue
			}
			if d, ok := byImage[c.Image]; ok {
				m[c.Name] = Pin{Digest: d, Reason: "no pod of this workload to read; pinned to the digest prod runs for " + c.Image + " elsewhere"}
			}
		}
	}
	return pins
}

// podsOf returns the live pods of a workload.
func podsOf(w source.Workload, all []corev1.Pod) []*corev1.Pod {
	var match func(p *corev1.Pod) bool
	switch {
	case w.Kind == "CronJob":
		prefix := w.Name + "-"
		match = func(p *corev1.Pod) bool {
			job, ok := strings.CutPrefix(p.Labels["job-name"], prefix)
			return ok && job != "" && strings.Trim(job, "0123456789") == ""
		}
	case w.Selector != nil:
		sel, err := metav1.LabelSelectorAsSelector(w.Selector)
		if err != nil || sel.Empty() {
			return nil
		}
		match = func(p *corev1.Pod) bool { return sel.Matches(labels.Set(p.Labels)) }
	default:
		return nil
	}
	var pods []*corev1.Pod
	for i := range all {
		if p := &all[i]; p.DeletionTimestamp == nil && match(p) {
			pods = append(pods, p)
		}
	}
	return pods
}

// digestsByImage maps each image reference prod's pods run to its digest (one a registry serving
// that reference can serve), where all pods that run it agree.
func digestsByImage(pods []corev1.Pod) map[string]string {
	out := map[string]string{}
	conflict := map[string]bool{}
	for i := range pods {
		p := &pods[i]
		statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
		for _, c := range source.Containers(&p.Spec) {
			for _, st := range statuses {
				if st.Name != c.Name {
					continue
				}
				d, _ := ServableDigest(c.Image, st.ImageID)
				if d == "" {
					continue
				}
				if prev, ok := out[c.Image]; ok && prev != d {
					conflict[c.Image] = true
				}
				out[c.Image] = d
			}
		}
	}
	for img := range conflict {
		delete(out, img)
	}
	return out
}

func pinFor(c corev1.Container, pods []*corev1.Pod, statuses func(*corev1.Pod) []corev1.ContainerStatus) Pin {
	if len(pods) == 0 {
		return Pin{Reason: "no prod pod runs this workload"}
	}
	var digests []string
	seen := map[string]bool{}
	runningSpec := false
	unservable := "prod's pods report no status for this container yet"
	for _, p := range pods {
		if specImage(p, c.Name) != c.Image {
			continue // an old pod of a rollout
		}
		runningSpec = true
		for _, st := range statuses(p) {
			if st.Name != c.Name {
				continue
			}
			d, why := ServableDigest(c.Image, st.ImageID)
			if d == "" {
				unservable = why
			} else if !seen[d] {
				seen[d] = true
				digests = append(digests, d)
			}
		}
	}
	switch {
	case !runningSpec:
		return Pin{Reason: "no prod pod runs the current spec yet (rollout in progress?)"}
	case len(digests) == 0:
		return Pin{Reason: unservable}
	case len(digests) > 1:
		return Pin{Digest: digests[0], Reason: fmt.Sprintf("prod runs %d digests of this image; pinned the newest pod's", len(digests))}
	}
	return Pin{Digest: digests[0]}
}

func specImage(p *corev1.Pod, container string) string {
	for _, c := range p.Spec.InitContainers {
		if c.Name == container {
			return c.Image
		}
	}
	for _, c := range p.Spec.Containers {
		if c.Name == container {
			return c.Image
		}
	}
	return ""
}

// ServableDigest returns the digest in a container status's imageID that a registry serving image
// (the reference the copy pulls) can serve, or why there is none. Kubelets report:
//   - "docker-pullable://repo@sha256:..." (Docker) and "repo@sha256:..." (containerd, CRI-O): a
//     manifest digest of repo, pinnable when repo is image's repository (Docker Hub's short names
//     normalized: "postgres" is docker.io/library/postgres);
//   - a bare "sha256:..." (containerd with an image imported or built on the node, which has no
//     repository digest) or "docker://sha256:..." (Docker, likewise): the image's local ID, its
//     config digest, which no registry serves as a manifest;
//   - "" before the runtime has reported it.
//
// A manifest digest of another repository (an image known under several names, or imported
// with a made-up name) may not exist where image is pulled from, so it is not pinned either.
func ServableDigest(image, imageID string) (digest, reason string) {
	id := strings.TrimPrefix(strings.TrimPrefix(imageID, "docker-pullable://"), "docker://")
	if id == "" {
		return "", "prod's runtime reports no image ID for this container yet"
	}
	if isDigest(id) {
		return "", fmt.Sprintf("prod's runtime reports no repository digest for this container, only the image's local ID %s…, "+
			"a config digest no registry serves (the image was imported or built on prod's node rather than pulled)", id[:19])
	}
	named, err := reference.ParseNormalizedNamed(id)
	canonical, ok := named.(reference.Canonical)
	if err != nil || !ok || !isDigest(canonical.Digest().String()) {
		return "", fmt.Sprintf("cannot read prod's image ID %q as repository@sha256:digest", imageID)
	}
	want, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return "", fmt.Sprintf("cannot read the image reference %q", image)
	}
	if named.Name() != want.Name() {
		return "", fmt.Sprintf("prod's runtime reports the digest of %s, not of %s, which the copy pulls: "+
			"a registry serving %s may not have it", named.Name(), want.Name(), want.Name())
	}
	return canonical.Digest().String(), ""
}

// DigestOf extracts the digest after "@" from a container status imageID, whatever repository it
// belongs to; a bare image ID (the local config digest) gives "". ServableDigest also checks the
// repository, and says why when there is no digest to pin.
func DigestOf(imageID string) string {
	at := strings.LastIndex(imageID, "@")
	if at < 0 {
		return ""
	}
	d := imageID[at+1:]
	if !isDigest(d) {
		return ""
	}
	return d
}

func isDigest(d string) bool {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range hexPart {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// HasDigest reports whether an image reference already names a digest.
func HasDigest(image string) bool {
	at := strings.LastIndex(image, "@")
	return at >= 0 && isDigest(image[at+1:])
}

// PinImage writes digest into an image reference, keeping the tag for people to read:
// "repo:1.2" + d -> "repo:1.2@sha256:...". The runtime pulls by digest and ignores the tag.
func PinImage(image, digest string) string {
	if at := strings.LastIndex(image, "@"); at >= 0 {
		image = image[:at]
	}
	return image + "@" + digest
}
