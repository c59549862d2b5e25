package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var recipes = map[string]func(options) (image, error){
	"pause": pauseImage, "busybox": busyboxImage, "coredns": corednsImage, "manager": managerImage,
	"postgres": postgresImage, "redis": redisImage, "rabbitmq": rabbitmqImage, "mariadb": mariadbImage,
}

func recipeNames() []string {
	var out []string
	for n := range recipes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// pauseImage is the pod sandbox: a static Go program that sleeps until stopped
// (hack/images/pause), built here.
func pauseImage(o options) (image, error) {
	bin := filepath.Join(o.out, ".pause")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./hack/images/pause")
	cmd.Dir, cmd.Env = o.repo, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return image{}, fmt.Errorf("building pause: %v: %s", err, out)
	}
	l := newLayer().fileAt(bin, "/pause")
	return image{layer: l, config: imageConfig{Entrypoint: []string{"/pause"}, User: "65535:65535"},
		names: []string{"localhost/envmirror/pause:1.0"}}, nil
}

// busyboxImage is Debian's busybox-static with its applets, plus bash (whose /dev/tcp is the
// test suites' connection check): the provisioner's helper pods and the suites' client pods.
func busyboxImage(options) (image, error) {
	l := newLayer().usrMerged().file("/usr/bin/bash").busyboxApplets()
	l.content("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"), 0o644)
	l.content("/etc/group", []byte("root:x:0:\nnogroup:x:65534:\n"), 0o644)
	return image{layer: l, config: imageConfig{Env: []string{defaultPath}, Cmd: []string{"sh"}},
		names: []string{"localhost/envmirror/busybox:1.35"}}, nil
}

func corednsImage(o options) (image, error) {
	version := filepath.Base(filepath.Dir(mustEval(o.coredns)))
	l := newLayer().fileAt(o.coredns, "/coredns")
	return image{layer: l, config: imageConfig{Entrypoint: []string{"/coredns"}},
		names: []string{"localhost/envmirror/coredns:" + version}}, nil
}

// managerImage is what the Dockerfile builds: the static manager, run as 65532, /manager the
// entrypoint.
func managerImage(o options) (image, error) {
	if o.manager == "" {
		return image{}, fmt.Errorf("-manager is required")
	}
	l := newLayer().fileAt(o.manager, "/manager")
	return image{layer: l, config: imageConfig{Entrypoint: []string{"/manager"}, User: "65532:65532"},
		names: []string{dockerName(o.managerImage)}}, nil
}

func mustEval(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p
	}
	return r
}

// dockerName is the reference containerd stores for a Docker Hub short name, as the CRI
// normalizes the pod's image: postgres:15 is docker.io/library/postgres:15.
func dockerName(ref string) string {
	first := strings.SplitN(ref, "/", 2)[0]
	switch {
	case !strings.Contains(ref, "/"):
		return "docker.io/library/" + ref
	case strings.ContainsAny(first, ".:") || first == "localhost":
		return ref
	}
	return "docker.io/" + ref
}

var debianVersion = regexp.MustCompile(`^(?:[0-9]+:)?([0-9]+(?:\.[0-9]+)*)`)

// packageVersion is an installed Debian package's upstream version ("5:7.0.15-1~deb12u10" is
// "7.0.15").
func packageVersion(pkg string) (string, error) {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("Debian package %s is not installed (hack/cluster/node/install-packages.sh installs it)", pkg)
	}
	m := debianVersion.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("%s: cannot read version %q", pkg, out)
	}
	return m[1], nil
}

// tags names an image as the official one does for a version: every prefix release
// ("7.0.15", "7.0", "7") with the suffix.
func tags(repo, version, suffix string) []string {
	parts := strings.Split(version, ".")
	var out []string
	for i := len(parts); i >= 1; i-- {
		out = append(out, dockerName(repo+":"+strings.Join(parts[:i], ".")+suffix))
	}
	return out
}

// debianBase is what every engine image shares with the Debian the official images build on:
// the usr-merged root, dash as /bin/sh, bash, busybox's utilities for the rest, the C.UTF-8
// locale, and users root and nobody plus the engine's own (uid and gid 999).
func debianBase(user, home string) *layer {
	l := newLayer().usrMerged()
	l.file("/usr/bin/dash").link("/usr/bin/sh", "dash").file("/usr/bin/bash")
	l.tree("/usr/lib/locale/C.utf8")
	l.content("/etc/passwd", []byte(fmt.Sprintf("root:x:0:0:root:/root:/bin/bash\n%s:x:999:999::%s:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", user, home)), 0o644)
	l.content("/etc/group", []byte(fmt.Sprintf("root:x:0:\n%s:x:999:\nnogroup:x:65534:\n", user)), 0o644)
	l.content("/etc/nsswitch.conf", []byte("passwd: files\ngroup: files\nhosts: files dns\n"), 0o644)
	return l
}

// script adds a test double's script from test/images/NAME.
func script(l *layer, o options, name, imagePath string) {
	l.fileAt(filepath.Join(o.repo, "test", "images", name), imagePath)
	if e := l.entries[imagePath]; e != nil {
		e.mode = 0o755
	}
}
