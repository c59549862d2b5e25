package mirror_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/source"
)

// The image IDs kubelets report, as they come: only a manifest digest of the repository the
// copy pulls from can be pinned; everything else is left unpinned with a reason.
func TestServableDigest(t *testing.T) {
	config := "sha256:" + strings.Repeat("c", 64)
	for _, tc := range []struct {
		name, image, imageID string
		want                 string // the digest, or "" when not pinned
		reason               string
	}{
		{"Docker's pullable ID", "registry.example/api:1.8", "docker-pullable://registry.example/api@" + dig, dig, ""},
		{"containerd and CRI-O: repo@digest", "registry.example/api:1.8", "registry.example/api@" + dig, dig, ""},
		{"Docker Hub's short names are normalized", "postgres:16", "docker.io/library/postgres@" + dig, dig, ""},
		{"Docker's short repo in the ID", "bitnami/redis:7.2", "docker-pullable://bitnami/redis@" + dig, dig, ""},
		{"index.docker.io is Docker Hub", "docker.io/library/redis:7", "index.docker.io/library/redis@" + dig, dig, ""},
		{"a registry with a port", "registry.example:5000/api", "registry.example:5000/api@" + dig, dig, ""},
		{"a local runtime: the config digest", "registry.example/api:1.8", config, "", "config digest no registry serves"},
		{"dockershim's local ID", "registry.example/api:1.8", "docker://" + config, "", "config digest no registry serves"},
		{"no ID yet", "registry.example/api:1.8", "", "", "reports no image ID"},
		{"the digest of another repository", "registry.example/api:1.8", "import-2024-06-01@" + dig, "",
			"digest of docker.io/library/import-2024-06-01, not of registry.example/api"},
		{"not an image ID", "registry.example/api:1.8", "registry.example/api@sha256:short", "", "cannot read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := mirror.ServableDigest(tc.image, tc.imageID)
			if got != tc.want || !strings.Contains(reason, tc.reason) {
				t.Errorf("ServableDigest(%q, %q) = %q, %q; want %q, ~%q", tc.image, tc.imageID, got, reason, tc.want, tc.reason)
			}
			if (got == "") == (reason == "") {
				t.Errorf("a digest or a reason, not both or neither: %q %q", got, reason)
			}
		})
	}
}

// A workload whose prod pods run an image imported into a local runtime (containerd reports the
// bare config digest) or known only under another repository is copied unpinned, and its status
// says why, container by container.
func TestUnpinnedImagesSayWhy(t *testing.T) {
	config := "sha256:" + strings.Repeat("c", 64)
	dep := func(name, image string) appsv1.Deployment {
		return appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: src}, Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}}}}}
	}
	pod := func(app, image, imageID string) corev1.Pod {
		return corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: app + "-1", Labels: map[string]string{"app": app}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			Status:     corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: image, ImageID: imageID}}},
		}
	}
	snap := &source.Snapshot{
		Deployments: []appsv1.Deployment{dep("local", "shop/api:dev"), dep("other", "shop/web:1"), dep("pulled", "shop/worker:2")},
		Pods: []corev1.Pod{
			pod("local", "shop/api:dev", config),
			pod("other", "shop/web:1", "import-2024-06-01@"+dig),
			pod("pulled", "shop/worker:2", "docker.io/shop/worker@"+dig),
		},
	}
	b := builder(t, testEnv(), mirror.ResolvePins(snap))
	for _, tc := range []struct {
		name, wantImage, wantReason string
		pinned                      bool
	}{
		{"local", "shop/api:dev", "config digest no registry serves", false},
		{"other", "shop/web:1", "not of docker.io/shop/web", false},
		{"pulled", "shop/worker:2@" + dig, "", true},
	} {
		d := snap.Deployments[map[string]int{"local": 0, "other": 1, "pulled": 2}[tc.name]]
		out, st := b.Deployment(&d)
		c := st.Containers[0]
		if out.Spec.Template.Spec.Containers[0].Image != tc.wantImage || c.Pinned != tc.pinned || st.Pinned != tc.pinned {
			t.Errorf("%s: image %q pinned %v, want %q %v", tc.name, out.Spec.Template.Spec.Containers[0].Image, c.Pinned, tc.wantImage, tc.pinned)
		}
		if !strings.Contains(c.Reason, tc.wantReason) || tc.pinned && c.Reason != "" {
			t.Errorf("%s: reason %q, want ~%q", tc.name, c.Reason, tc.wantReason)
		}
	}
}

// Whatever a kubelet (or a hostile prod) writes as an image ID: a digest or a reason, never both,
// and a digest only of the repository the copy pulls, as it appears in the ID.
func FuzzServableDigest(f *testing.F) {
	for _, id := range []string{"docker-pullable://registry.example/api@" + dig, "sha256:" + strings.Repeat("c", 64),
		"docker://sha256:" + strings.Repeat("c", 64), "", "import-2024@" + dig, "registry.example/api@sha256:x", "@@@"} {
		f.Add("registry.example/api:1.8", id)
	}
	f.Fuzz(func(t *testing.T, image, imageID string) {
		d, reason := mirror.ServableDigest(image, imageID)
		if (d == "") == (reason == "") {
			t.Fatalf("digest %q and reason %q", d, reason)
		}
		if d != "" && (!strings.HasSuffix(imageID, "@"+d) || !mirror.HasDigest("x@"+d)) {
			t.Fatalf("digest %q does not end the image ID %q", d, imageID)
		}
	})
}
