package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// hostState is what a real node can change on the machine, read from the kernel and the file
// system, so that the state after `down` can be compared with the state before `up`. The check
// reads what is there; it does not trust the teardown's own account.
type hostState struct {
	Sysctls  map[string]string `json:"sysctls"`
	Paths    map[string]bool   `json:"paths"`
	IPTables []string          `json:"iptables"`
	IPSets   []string          `json:"ipsets"`
	Links    []string          `json:"links"`
	Mounts   []string          `json:"mounts"`
	Cgroups  []string          `json:"cgroups"`
	NetNS    []string          `json:"netns"`
	Procs    []string          `json:"processes"`
}

// hostSysctls are the kernel settings the node's components change: ip_forward (the bridge),
// the kubelet's kernel tunables (it sets them unless protectKernelDefaults), kube-proxy's and
// kube-router's bridge and conntrack settings.
var hostSysctls = []string{
	"net/ipv4/ip_forward", "vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
	"kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes", "net/bridge/bridge-nf-call-iptables",
	"net/bridge/bridge-nf-call-ip6tables", "net/ipv4/conf/all/route_localnet", "net/netfilter/nf_conntrack_max",
	"net/netfilter/nf_conntrack_tcp_timeout_established", "net/netfilter/nf_conntrack_tcp_timeout_close_wait",
}

// hostPaths are the folders the node's components create (some whatever they are told: the
// kubelet's device-plugins folder, containerd's shim sockets, the kubelet's container log links).
var hostPaths = []string{
	nodeDataDir, nodeRunDir, "/var/lib/kubelet", "/var/log/pods", "/var/log/containers", "/run/containerd",
	"/var/lib/containerd", "/var/lib/cni", "/etc/cni", "/opt/cni", "/opt/containerd",
	"/usr/libexec/kubernetes", "/var/lib/kube-router", "/run/calico", "/var/run/kube-router",
}

// nodeProcessNames are the node's programs, by the kernel's 15-character comm.
var nodeProcessNames = []string{"containerd", "containerd-shim", "kubelet", "kube-proxy", "kube-router", "local-path-prov", "coredns", "pause"}

func readHostState() hostState {
	h := hostState{Sysctls: map[string]string{}, Paths: map[string]bool{}}
	for _, k := range hostSysctls {
		if b, err := os.ReadFile("/proc/sys/" + k); err == nil {
			h.Sysctls[k] = strings.TrimSpace(string(b))
		}
	}
	for _, path := range hostPaths {
		h.Paths[path] = fileExists(path)
	}
	h.IPTables = append(iptablesRules("iptables-save"), iptablesRules("ip6tables-save")...)
	if out, err := runTool("ipset", "list", "-n"); err == nil {
		h.IPSets = nonEmptyLines(out)
	}
	if out, err := runTool("ip", "-o", "link", "show"); err == nil {
		for _, l := range nonEmptyLines(out) {
			if f := strings.Fields(l); len(f) > 1 {
				h.Links = append(h.Links, strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0])
			}
		}
	}
	h.Mounts = mountPoints()
	h.Cgroups = kubepodsCgroups()
	if entries, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "cni-") { // the CNI's names; others' are not ours
				h.NetNS = append(h.NetNS, e.Name())
			}
		}
	}
	h.Procs = nodeProcesses()
	for _, l := range [][]string{h.IPTables, h.IPSets, h.Links, h.Mounts, h.Cgroups, h.NetNS, h.Procs} {
		sort.Strings(l)
	}
	return h
}

func runTool(tool string, args ...string) (string, error) {
	bin, err := lookPath(tool)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(bin, args...).Output()
	return string(out), err
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// iptablesRules normalizes iptables-save: "family table rule" for every rule and every chain
// of our own, and built-in chains only when their policy is not ACCEPT (an empty table that
// merely exists, as iptables-nft leaves it, is the same as none).
func iptablesRules(tool string) []string {
	out, err := runTool(tool)
	if err != nil {
		return nil
	}
	family := strings.TrimSuffix(tool, "-save")
	builtin := map[string]bool{"INPUT": true, "OUTPUT": true, "FORWARD": true, "PREROUTING": true, "POSTROUTING": true}
	var rules []string
	table := ""
	for _, l := range nonEmptyLines(out) {
		switch {
		case strings.HasPrefix(l, "#") || l == "COMMIT":
		case strings.HasPrefix(l, "*"):
			table = l[1:]
		case strings.HasPrefix(l, ":"):
			f := strings.Fields(l[1:])
			if len(f) >= 2 && (!builtin[f[0]] || f[1] != "ACCEPT") {
				rules = append(rules, fmt.Sprintf("%s %s chain %s %s", family, table, f[0], f[1]))
			}
		default:
			rules = append(rules, fmt.Sprintf("%s %s %s", family, table, l))
		}
	}
	return rules
}

// mountPoints lists the mount points of the machine (this process's mount namespace).
func mountPoints() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 4 {
			out = append(out, unescapeMount(fields[4]))
		}
	}
	return out
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// kubepodsCgroups lists the kubelet's cgroups (cgroupfs driver: kubepods under each hierarchy).
func kubepodsCgroups() []string {
	var out []string
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods*")
	if top, _ := filepath.Glob("/sys/fs/cgroup/kubepods*"); len(top) > 0 {
		roots = append(roots, top...)
	}
	return append(out, roots...)
}

// nodeProcesses lists running processes that are the node's programs, as "comm pid (state S)".
// A process that has exited is not one: `down` leaves the node's programs to init (they were
// detached at `up`), and an init that reaps orphans by polling (this machine's reaps about every
// 2 s) keeps each one a zombie, with its /proc entry and comm, for a while after it has stopped.
func nodeProcesses() []string {
	var out []string
	for _, pid := range processIDs() {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(string(comm))
		if !slices.Contains(nodeProcessNames, name) {
			continue
		}
		fields, err := procStat(pid)
		if err != nil || exitedState(fields[0]) {
			continue
		}
		out = append(out, fmt.Sprintf("%s %d (state %s)", name, pid, fields[0]))
	}
	return out
}

// leftovers lists what differs between before and after, one line each.
func leftovers(before, after hostState) []string {
	var out []string
	for _, k := range hostSysctls {
		if b, a := before.Sysctls[k], after.Sysctls[k]; b != a {
			out = append(out, fmt.Sprintf("sysctl %s is %q (was %q)", strings.ReplaceAll(k, "/", "."), a, b))
		}
	}
	for _, path := range hostPaths {
		if after.Paths[path] && !before.Paths[path] {
			out = append(out, "path "+path+" exists (did not before)")
		}
	}
	for _, kind := range []struct {
		name          string
		before, after []string
	}{
		{"iptables", before.IPTables, after.IPTables}, {"ipset", before.IPSets, after.IPSets},
		{"link", before.Links, after.Links}, {"mount", before.Mounts, after.Mounts},
		{"cgroup", before.Cgroups, after.Cgroups}, {"netns", before.NetNS, after.NetNS},
	} {
		for _, x := range kind.after {
			if !slices.Contains(kind.before, x) {
				out = append(out, kind.name+" "+x)
			}
		}
	}
	for _, x := range after.Procs {
		out = append(out, "process "+x+" runs")
	}
	return out
}

// saveHostBefore records the host's state before the first real node `up` (a repair keeps the
// first record: it is the state `down` must return to).
func saveHostBefore(p paths) error {
	if fileExists(p.hostBefore()) {
		return nil
	}
	b, err := json.MarshalIndent(readHostState(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p.hostBefore(), append(b, '\n'), 0o644)
}

func loadHostBefore(p paths) (*hostState, error) {
	b, err := os.ReadFile(p.hostBefore())
	if err != nil {
		return nil, err
	}
	var h hostState
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", p.hostBefore(), err)
	}
	return &h, nil
}

// hostCheck compares the host with its state before the real node came up and fails on any
// leftover; with no record (no real node since the last clean check) there is nothing to check.
func hostCheck(p paths) error {
	before, err := loadHostBefore(p)
	if os.IsNotExist(err) {
		logf("hostcheck: no record of the host before a real node in %s: nothing to compare", p.hostBefore())
		return nil
	}
	if err != nil {
		return err
	}
	if fileExists(p.stateFile()) {
		if s, err := readState(p); err == nil && s.RealNode {
			return fmt.Errorf("hostcheck: the real node in %s is still up; run `down` first", p.dir)
		}
	}
	left := leftovers(*before, readHostState())
	if len(left) > 0 {
		return fmt.Errorf("the host differs from its state before the real node came up (%s):\n  %s",
			p.hostBefore(), strings.Join(left, "\n  "))
	}
	logf("hostcheck: the host is as it was before the real node came up (sysctls, paths, iptables, ipsets, links, mounts, cgroups, netns, processes)")
	return os.Remove(p.hostBefore())
}
