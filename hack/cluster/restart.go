package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// restartCmd stops one component of a running cluster and starts it again in place, with the
// same command line (read from /proc), data and ports, the way an upgrade, a crash or a node reboot does it to a
// real control plane: its clients see their connections and watches drop and must recover on
// their own. The e2e suite restarts kube-apiserver under a provisioning operator this way.
//
//	restart [--kill] [--down DURATION] NAME
//
// --kill sends SIGKILL instead of SIGTERM (no graceful shutdown: open requests are cut; also
// quicker: kube-apiserver v1.37 stops listening at once on SIGTERM but then lingers until the
// 30 s grace ends in SIGKILL, kubernetes/kubernetes#131052); --down keeps the component stopped that long before starting it again. It returns once the
// component serves again (etcd /health, kube-apiserver /readyz) and prints how long it was down.
func restartCmd(p paths, args []string) error {
	fs := flag.NewFlagSet("restart", flag.ContinueOnError)
	kill := fs.Bool("kill", false, "stop with SIGKILL instead of SIGTERM")
	down := fs.Duration("down", 0, "how long the component stays stopped")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("restart takes one component name (one of %v)", allComponents)
	}
	name := fs.Arg(0)
	if !slices.Contains(allComponents, name) {
		return fmt.Errorf("%q is not a component of the cluster (one of %v); spawned processes are restarted with stop and spawn", name, allComponents)
	}
	if *down < 0 {
		return fmt.Errorf("--down must not be negative")
	}

	unlock, err := lockFile(p)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := readState(p)
	if err != nil {
		return fmt.Errorf("no cluster in %s (%w): run `up` first", p.dir, err)
	}
	rec, err := readRecord(p, name)
	if err != nil || !rec.alive() {
		return fmt.Errorf("%s is not running; `up` repairs a partial cluster", name)
	}
	// The very command line it runs with, whatever the environment of this call says.
	cmdline, err := procCmdline(rec.pid)
	if err != nil {
		return err
	}

	stopped := time.Now()
	if *kill {
		err = killNow(p, rec)
	} else {
		err = stop(p, rec, 30*time.Second)
	}
	if err != nil {
		return err
	}
	logf("stopped %s (pid %d) with %s", name, rec.pid, map[bool]string{true: "SIGKILL", false: "SIGTERM"}[*kill])
	time.Sleep(*down)
	// The kernel may hold a killed process's listening socket a little longer than the process.
	for _, port := range componentPorts(s, name) {
		for deadline := time.Now().Add(10 * time.Second); checkPortFree(port.number, port.spec) != nil && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
	}

	w := watcher{p: p, exits: map[string]<-chan error{}}
	if _, err := w.launch(s, name, cmdline); err != nil {
		return err
	}
	if err := w.waitReady(s, name); err != nil {
		return err
	}
	fmt.Printf("%s restarted: down for %s\n", name, time.Since(stopped).Round(100*time.Millisecond))
	return nil
}

// procCmdline reads a process's command line from /proc/<pid>/cmdline.
func procCmdline(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil, err
	}
	args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	if len(args) == 0 || args[0] == "" {
		return nil, fmt.Errorf("process %d has no command line", pid)
	}
	return args, nil
}

// killNow sends SIGKILL and waits until the process is gone; it removes the pid file.
func killNow(p paths, r *procRecord) error {
	defer os.Remove(p.pidFile(r.name))
	if err := syscall.Kill(r.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s (pid %d): %w", r.name, r.pid, err)
	}
	for i := 0; i < 100 && r.alive(); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if r.alive() {
		return fmt.Errorf("%s (pid %d) is still running 5s after SIGKILL", r.name, r.pid)
	}
	return nil
}
