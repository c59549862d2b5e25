package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLeftovers: the host check reports each kind of leftover a real node could leave, and
// nothing when the host is as it was (an empty iptables table that merely exists included).
func TestLeftovers(t *testing.T) {
	before := hostState{
		Sysctls:  map[string]string{"net/ipv4/ip_forward": "0", "kernel/panic": "1"},
		Paths:    map[string]bool{"/var/lib/kubelet": false, nodeDataDir: false},
		IPTables: []string{"iptables filter -A INPUT -j ACCEPT"},
		Links:    []string{"eth0", "lo"},
		Mounts:   []string{"/", "/proc"},
	}
	if got := leftovers(before, before); len(got) != 0 {
		t.Fatalf("same state: leftovers %v", got)
	}
	after := hostState{
		Sysctls:  map[string]string{"net/ipv4/ip_forward": "1", "kernel/panic": "1"},
		Paths:    map[string]bool{"/var/lib/kubelet": true, nodeDataDir: false},
		IPTables: []string{"iptables filter -A INPUT -j ACCEPT", "iptables nat chain KUBE-SERVICES -"},
		IPSets:   []string{"KUBE-DST-ABC"},
		Links:    []string{"eth0", "lo", nodeBridge},
		Mounts:   []string{"/", "/proc", nodeRunDir + "/containerd/netns/cni-1"},
		Cgroups:  []string{"/sys/fs/cgroup/memory/kubepods"},
		NetNS:    []string{"cni-1"},
		Procs:    []string{"containerd-shim 123"},
	}
	want := []string{
		`sysctl net.ipv4.ip_forward is "1" (was "0")`,
		"path /var/lib/kubelet exists (did not before)",
		"iptables iptables nat chain KUBE-SERVICES -",
		"ipset KUBE-DST-ABC",
		"link " + nodeBridge,
		"mount " + nodeRunDir + "/containerd/netns/cni-1",
		"cgroup /sys/fs/cgroup/memory/kubepods",
		"netns cni-1",
		"process containerd-shim 123 runs",
	}
	if got := leftovers(before, after); !reflect.DeepEqual(got, want) {
		t.Fatalf("leftovers:\n got %q\nwant %q", got, want)
	}
}

// TestSplitRule: iptables -S lines become the arguments of the matching -D, quoted comments whole.
func TestSplitRule(t *testing.T) {
	line := `-A FORWARD -m comment --comment "kube-router netpol - TEMCG2JMHZYE7H7T" -j KUBE-ROUTER-FORWARD`
	want := []string{"-A", "FORWARD", "-m", "comment", "--comment", "kube-router netpol - TEMCG2JMHZYE7H7T", "-j", "KUBE-ROUTER-FORWARD"}
	if got := splitRule(line); !reflect.DeepEqual(got, want) {
		t.Fatalf("splitRule: got %q", got)
	}
	if !jumpsToOwn(want) || jumpsToOwn([]string{"-A", "INPUT", "-j", "ACCEPT"}) || !ownChain("CNI-HOSTPORT-DNAT") || ownChain("DOCKER") {
		t.Fatal("own chains: KUBE-* and CNI-* only")
	}
}

// TestNodeProcessesIgnoresExited: a node program that has exited but is not yet reaped (a
// zombie, as the node's programs are for a while under an init that reaps by polling) is not a
// leftover; one that runs is. Both are real processes named like the kubelet.
func TestNodeProcessesIgnoresExited(t *testing.T) {
	sleepBin, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("this test needs sleep(1): %v", err)
	}
	// The kernel's comm is the executable's file name: a copy of sleep named kubelet.
	kubelet := filepath.Join(t.TempDir(), "kubelet")
	b, err := os.ReadFile(sleepBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubelet, b, 0o755); err != nil {
		t.Fatal(err)
	}

	running := exec.Command(kubelet, "60")
	if err := running.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = running.Process.Kill(); _ = running.Wait() }()
	exited := exec.Command(kubelet, "0")
	if err := exited.Start(); err != nil {
		t.Fatal(err)
	}
	// Not waited for yet: once it has exited it stays a zombie until Wait reaps it.
	defer func() { _ = exited.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fields, err := procStat(exited.Process.Pid)
		if err == nil && fields[0] == "Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d did not become a zombie: %v %v", exited.Process.Pid, fields, err)
		}
	}

	procs := nodeProcesses()
	listed := func(pid int) bool {
		return slices.ContainsFunc(procs, func(p string) bool {
			f := strings.Fields(p)
			return len(f) >= 2 && f[0] == "kubelet" && f[1] == fmt.Sprint(pid)
		})
	}
	if !listed(running.Process.Pid) {
		t.Errorf("the running kubelet (pid %d) is not listed: %q", running.Process.Pid, procs)
	}
	if listed(exited.Process.Pid) {
		t.Errorf("the exited, unreaped kubelet (pid %d) is listed as running: %q", exited.Process.Pid, procs)
	}
}
