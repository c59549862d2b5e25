package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// teardownNode stops the real node in the order that leaves nothing behind: the controllers
// first (nothing recreates a pod), then every pod deleted through the API so that the kubelet
// stops it and the CNI removes its network (deleting containers behind the kubelet's back would
// leave iptables rules, addresses and network namespaces), then the network components, each
// cleaning its own rules, then the kubelet, the remaining containers and containerd.
func teardownNode(p paths, s *state) {
	for _, c := range []string{compController, compScheduler, compLocalPath} {
		if rec, err := readRecord(p, c); err == nil {
			stopOrLog(p, rec, 15*time.Second)
		}
	}
	if rec, err := readRecord(p, compKubelet); err == nil && rec.alive() && s.APIServerPort != 0 {
		if err := drainNode(p, s); err != nil {
			logf("deleting the real node's pods through the kubelet: %v (cleaning up behind it)", err)
		}
	}
	// kube-router's own --cleanup-config (v2.1.0) panics in its service proxy's cleanup, which
	// never ran here; its chains (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) and sets (KUBE-*)
	// are removed by cleanHost instead.
	if rec, err := readRecord(p, compKubeRouter); err == nil {
		stopOrLog(p, rec, 15*time.Second)
	}
	if rec, err := readRecord(p, compKubeProxy); err == nil {
		stopOrLog(p, rec, 15*time.Second)
	}
	runCleanup(filepath.Join(p.nodeAssets, "kube-proxy"), "--cleanup")
	if rec, err := readRecord(p, compKubelet); err == nil {
		stopOrLog(p, rec, 30*time.Second)
	}
	killContainers()
	if rec, err := readRecord(p, compContainerd); err == nil {
		stopOrLog(p, rec, 15*time.Second)
	}
	killShims()
}

// drainNode deletes every pod (the controllers are stopped: none comes back) and waits until the
// kubelet has stopped each one and its network namespace is gone.
func drainNode(p paths, s *state) error {
	api, err := newAPIClient(p, s.APIServerPort)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	code, body, err := api.do(ctx, http.MethodGet, "/api/v1/namespaces", nil)
	if err != nil || code != http.StatusOK {
		return fmt.Errorf("listing namespaces: %d %v", code, err)
	}
	var nsList struct {
		Items []struct {
			Metadata struct{ Name string } `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &nsList); err != nil {
		return err
	}
	for _, ns := range nsList.Items {
		path := "/api/v1/namespaces/" + ns.Metadata.Name + "/pods?gracePeriodSeconds=5"
		if code, body, err := api.do(ctx, http.MethodDelete, path, nil); err != nil || code >= 300 {
			logf("deleting the pods of %s: %d %v %s", ns.Metadata.Name, code, err, body)
		}
	}
	start := time.Now()
	for {
		pods, err := api.podsOnNode(ctx, realNodeName)
		netns := sandboxNetNS()
		if err == nil && pods == 0 && len(netns) == 0 {
			logf("the real node's pods are stopped (%s)", time.Since(start).Round(100*time.Millisecond))
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("after %s: %d pods still on the node, network namespaces %v (%v)",
				time.Since(start).Round(time.Second), pods, netns, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// podsOnNode counts the pods bound to a node.
func (c *apiClient) podsOnNode(ctx context.Context, node string) (int, error) {
	code, body, err := c.do(ctx, http.MethodGet, "/api/v1/pods?fieldSelector=spec.nodeName%3D"+node, nil)
	if err != nil {
		return 0, err
	}
	if code != http.StatusOK {
		return 0, fmt.Errorf("listing pods: %d", code)
	}
	var l struct{ Items []json.RawMessage }
	if err := json.Unmarshal(body, &l); err != nil {
		return 0, err
	}
	return len(l.Items), nil
}

// sandboxNetNS lists the pod network namespaces containerd holds (under its state folder).
func sandboxNetNS() []string {
	entries, _ := os.ReadDir(filepath.Join(nodeRunDir, "containerd", "netns"))
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// runCleanup runs a component's own cleanup command (kube-proxy --cleanup), which removes the
// chains and rules it made.
func runCleanup(bin string, args ...string) {
	if !fileExists(bin) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), nodeEnv()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		logf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, indent(tail2(string(out), 10)))
	}
}

func tail2(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// killContainers kills and deletes every task containerd still runs (a pod the kubelet could
// not stop), so that no shim is left.
func killContainers() {
	if !fileExists(containerdSocket) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := ctr(ctx, "tasks", "ls", "-q")
	if err != nil {
		return
	}
	for _, id := range nonEmptyLines(out) {
		_, _ = ctr(ctx, "tasks", "kill", "-s", "SIGKILL", id)
	}
	for _, id := range nonEmptyLines(out) {
		for i := 0; i < 20; i++ {
			if _, err := ctr(ctx, "tasks", "delete", "-f", id); err == nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// killShims ends the shims the node's containerd started (they outlive it by design), found by
// the containerd address on their command line.
func killShims() {
	for _, pid := range shimPIDs() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for i := 0; i < 50 && len(shimPIDs()) > 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
}

func shimPIDs() []int {
	var out []int
	for _, pid := range processIDs() {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 0 && strings.HasPrefix(filepath.Base(args[0]), "containerd-shim") && slices.Contains(args, containerdSocket) {
			out = append(out, pid)
		}
	}
	return out
}

// cleanHost removes what the node left on the machine once its processes are gone: mounts,
// network namespaces, cgroups, iptables chains, ipsets, the bridge, changed kernel settings and
// the folders the node created. Each step only touches what is the node's own (by path, by
// chain or set prefix, by name); the host check then compares everything with the record.
func cleanHost(p paths) error {
	before, err := loadHostBefore(p)
	if err != nil {
		logf("no record of the host before the real node (%v): kernel settings stay as they are", err)
		before = nil
	}
	var problems []string
	if err := unmountUnder(ownedMountRoots()); err != nil {
		problems = append(problems, err.Error())
	}
	removeCgroups("kubepods")
	cleanIPTables()
	cleanIPSets()
	deleteLinks()
	if before != nil {
		for _, k := range hostSysctls {
			if v, ok := before.Sysctls[k]; ok {
				if cur, err := os.ReadFile("/proc/sys/" + k); err == nil && strings.TrimSpace(string(cur)) != v {
					if err := os.WriteFile("/proc/sys/"+k, []byte(v+"\n"), 0o644); err != nil {
						problems = append(problems, fmt.Sprintf("restoring %s: %v", k, err))
					}
				}
			}
		}
	}
	for _, path := range hostPaths {
		if before != nil && before.Paths[path] && path != nodeDataDir && path != nodeRunDir {
			continue // it was there before: not ours to remove
		}
		if before == nil && path != nodeDataDir && path != nodeRunDir {
			continue
		}
		if err := removeTree(path); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("cleaning up after the real node:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// ownedMountRoots are the folders under which every mount is the node's.
func ownedMountRoots() []string {
	return []string{nodeDataDir, nodeRunDir, "/var/lib/kubelet", "/run/containerd"}
}

func under(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

// unmountUnder unmounts every mount under the roots, deepest first (a lazy detach when busy).
func unmountUnder(roots []string) error {
	var left []string
	for attempt := 0; attempt < 3; attempt++ {
		left = nil
		mounts := mountPoints()
		sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
		for _, m := range mounts {
			if !slices.ContainsFunc(roots, func(r string) bool { return under(m, r) }) {
				continue
			}
			if err := syscall.Unmount(m, 0); err != nil {
				if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
					left = append(left, m+": "+err.Error())
				}
			}
		}
		if len(left) == 0 {
			return nil
		}
	}
	return fmt.Errorf("mounts that would not unmount: %s", strings.Join(left, ", "))
}

// removeTree removes a folder the node created, refusing while anything is mounted under it
// (removing through a bind mount would delete the files of whatever it shows).
func removeTree(path string) error {
	for _, m := range mountPoints() {
		if under(m, path) {
			return fmt.Errorf("not removing %s: %s is still mounted", path, m)
		}
	}
	return os.RemoveAll(path)
}

// removeCgroups removes a top-level cgroup and everything under it from every hierarchy
// (the kubelet's kubepods tree with the cgroupfs driver), deepest first; rmdir only removes
// an empty cgroup, so a cgroup with a live process stays and the host check reports it.
func removeCgroups(name string) {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/" + name)
	if top := "/sys/fs/cgroup/" + name; fileExists(top) {
		roots = append(roots, top)
	}
	for _, root := range roots {
		var dirs []string
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			for try := 0; try < 20; try++ {
				if err := syscall.Rmdir(dirs[i]); err == nil || os.IsNotExist(err) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}
