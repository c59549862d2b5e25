package main

import (
	"os/exec"
	"slices"
	"strings"
)

// ownChainPrefixes are the iptables chains the node's components create: kube-proxy's and the
// kubelet's (KUBE-), the CNI portmap plugin's (CNI-), kube-router's policy chains (KUBE-ROUTER-,
// KUBE-POD-FW-, KUBE-NWPLCY-, all under KUBE-).
var ownChainPrefixes = []string{"KUBE-", "CNI-"}

func ownChain(name string) bool {
	return slices.ContainsFunc(ownChainPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// cleanIPTables removes what the components' own cleanup left: every rule that jumps to one of
// the node's chains, then the chains themselves, in every table of both families.
func cleanIPTables() {
	for _, tool := range []string{"iptables", "ip6tables"} {
		bin, err := lookPath(tool)
		if err != nil {
			continue
		}
		for _, table := range []string{"filter", "nat", "mangle", "raw"} {
			out, err := exec.Command(bin, "-w", "-t", table, "-S").Output()
			if err != nil {
				continue
			}
			var chains []string
			for _, l := range nonEmptyLines(string(out)) {
				f := strings.Fields(l)
				switch {
				case len(f) >= 2 && f[0] == "-N" && ownChain(f[1]):
					chains = append(chains, f[1])
				case len(f) >= 2 && f[0] == "-A" && !ownChain(f[1]) && jumpsToOwn(f):
					args := append([]string{"-w", "-t", table, "-D"}, splitRule(l)[1:]...)
					_ = exec.Command(bin, args...).Run()
				}
			}
			for _, c := range chains {
				_ = exec.Command(bin, "-w", "-t", table, "-F", c).Run()
			}
			for _, c := range chains {
				_ = exec.Command(bin, "-w", "-t", table, "-X", c).Run()
			}
		}
	}
}

func jumpsToOwn(fields []string) bool {
	for i := 0; i+1 < len(fields); i++ {
		if (fields[i] == "-j" || fields[i] == "-g") && ownChain(fields[i+1]) {
			return true
		}
	}
	return false
}

// splitRule splits an iptables -S line into arguments, keeping quoted comments whole.
func splitRule(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && inQuote && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == ' ' && !inQuote:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// cleanIPSets destroys kube-router's sets (its names start with KUBE- or kube-router-, an inet6:
// prefix for IPv6 ones), once no rule refers to them.
func cleanIPSets() {
	out, err := runTool("ipset", "list", "-n")
	if err != nil {
		return
	}
	bin, _ := lookPath("ipset")
	for _, name := range nonEmptyLines(out) {
		n := strings.TrimPrefix(name, "inet6:")
		if strings.HasPrefix(n, "KUBE-") || strings.HasPrefix(n, "kube-router-") {
			_ = exec.Command(bin, "destroy", name).Run()
		}
	}
}

// deleteLinks deletes the node's bridge and the veths still attached to it (a pod whose network
// the CNI could not remove).
func deleteLinks() {
	bin, err := lookPath("ip")
	if err != nil {
		return
	}
	if out, err := exec.Command(bin, "-o", "link", "show", "master", nodeBridge).Output(); err == nil {
		for _, l := range nonEmptyLines(string(out)) {
			if f := strings.Fields(l); len(f) > 1 {
				name := strings.SplitN(strings.TrimSuffix(f[1], ":"), "@", 2)[0]
				_ = exec.Command(bin, "link", "delete", name).Run()
			}
		}
	}
	_ = exec.Command(bin, "link", "delete", nodeBridge).Run()
}
