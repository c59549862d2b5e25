package manager

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ManagerContainer is the name of the operator's container in its Deployment (config/manager,
// the chart); its image is the seed image.
const ManagerContainer = "manager"

// ResolveSeedImage fills SeedImage and SeedImagePullSecrets where no flag set them: from the
// operator's own pod when it runs in one (POD_NAME and POD_NAMESPACE from the downward API), so
// that the seeding Jobs run exactly the image, and pull with exactly the secrets, the operator
// itself was deployed with; outside a pod, envmirror/manager:<version>.
func (c *Config) ResolveSeedImage(ctx context.Context, reader client.Reader) error {
	if c.SeedImage != "" && c.seedPullSecretsSet {
		return nil
	}
	if c.PodName == "" {
		if c.SeedImage == "" {
			c.SeedImage = "envmirror/manager:" + c.Version
		}
		return nil
	}
	pod := &corev1.Pod{}
	key := client.ObjectKey{Namespace: c.OperatorNamespace, Name: c.PodName}
	if err := reader.Get(ctx, key, pod); err != nil {
		return fmt.Errorf("reading the operator's own pod %s for the seed image (or set --seed-image and --%s): %w",
			key, flagSeedImagePullSecrets, err)
	}
	image, err := OwnImage(pod)
	if err != nil {
		return err
	}
	if c.SeedImage == "" {
		c.SeedImage = image
	}
	if !c.seedPullSecretsSet {
		c.SeedImagePullSecrets = append([]corev1.LocalObjectReference(nil), pod.Spec.ImagePullSecrets...)
	}
	return nil
}

// OwnImage is the image of the operator's container in its pod: the one named
// ManagerContainer, or the only container.
func OwnImage(pod *corev1.Pod) (string, error) {
	for _, c := range pod.Spec.Containers {
		if c.Name == ManagerContainer {
			return c.Image, nil
		}
	}
	if len(pod.Spec.Containers) == 1 {
		return pod.Spec.Containers[0].Image, nil
	}
	return "", fmt.Errorf("pod %s/%s has no container named %q to take the seed image from: set --seed-image",
		pod.Namespace, pod.Name, ManagerContainer)
}
