package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A pid file holds "<pid> <start time in clock ticks since boot> <name>". The start time guards
// against PID reuse: `down` never signals a process that merely inherited a recorded PID.
type procRecord struct {
	name      string
	pid       int
	startTime uint64
	order     int // start order (from the pid file's mtime), to stop in reverse
}

// spawn starts a detached process (its own session, stdin from /dev/null, stdout and stderr
// appended to <state>/logs/<name>.log) and records it. The returned channel gets the process's
// exit while this program runs; once `up` returns the process lives on, reparented to init.
func spawn(p paths, name string, argv []string, extraEnv []string) (*procRecord, <-chan error, error) {
	if err := os.MkdirAll(filepath.Dir(p.log(name)), 0o755); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p.pidFile(name)), 0o755); err != nil {
		return nil, nil, err
	}
	logf, err := os.OpenFile(p.log(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "\n==== %s: starting %s\n", time.Now().Format(time.RFC3339), strings.Join(argv, " "))

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting %s: %w", name, err)
	}
	rec := &procRecord{name: name, pid: cmd.Process.Pid}
	st, err := procStartTime(rec.pid)
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, nil, fmt.Errorf("%s exited at once (see %s)", name, p.log(name))
	}
	rec.startTime = st
	line := fmt.Sprintf("%d %d %s\n", rec.pid, rec.startTime, name)
	if err := os.WriteFile(p.pidFile(name), []byte(line), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return nil, nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return rec, exited, nil
}

// processIDs lists the processes /proc shows, zombies included.
func processIDs() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// procStartTime reads field 22 of /proc/<pid>/stat. It fails for gone and zombie processes.
func procStartTime(pid int) (uint64, error) {
	fields, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	if exitedState(fields[0]) {
		return 0, fmt.Errorf("process %d has exited", pid)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// procStat reads /proc/<pid>/stat from field 3 on: fields[0] is the state, fields[19] the start
// time.
func procStat(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return nil, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return fields, nil
}

// exitedState says whether a /proc state letter is that of a process that has exited: a zombie
// (Z) waits only for its parent to reap it and runs nothing, holds no file, socket, mount or
// memory; X is the instant of reaping.
func exitedState(state string) bool {
	return state == "Z" || state == "X"
}

func readRecord(p paths, name string) (*procRecord, error) {
	path := p.pidFile(name)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return nil, fmt.Errorf("%s: malformed", path)
	}
	rec := &procRecord{name: name}
	if rec.pid, err = strconv.Atoi(f[0]); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if rec.startTime, err = strconv.ParseUint(f[1], 10, 64); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil {
		rec.order = int(fi.ModTime().UnixNano() / 1e6)
	}
	return rec, nil
}

// records lists every recorded process, most recently started first.
func records(p paths) []*procRecord {
	entries, _ := os.ReadDir(filepath.Join(p.dir, "pids"))
	var recs []*procRecord
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".pid")
		if !ok {
			continue
		}
		if rec, err := readRecord(p, name); err == nil {
			recs = append(recs, rec)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].order > recs[j].order })
	return recs
}

// alive says whether the recorded process still runs (same PID and same start time).
func (r *procRecord) alive() bool {
	st, err := procStartTime(r.pid)
	return err == nil && st == r.startTime
}

// stop sends SIGTERM, waits up to grace, then SIGKILL; it removes the pid file. A record whose
// process is gone (or whose PID now belongs to another process) is only forgotten.
func stop(p paths, r *procRecord, grace time.Duration) error {
	defer os.Remove(p.pidFile(r.name))
	if !r.alive() {
		return nil
	}
	if err := syscall.Kill(r.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping %s (pid %d): %w", r.name, r.pid, err)
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !r.alive() {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "%s (pid %d) did not stop within %s; sending SIGKILL\n", r.name, r.pid, grace)
	if err := syscall.Kill(r.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing %s (pid %d): %w", r.name, r.pid, err)
	}
	for i := 0; i < 50 && r.alive(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if r.alive() {
		// Only a process stuck in the kernel (state D) outlives SIGKILL this long; say so rather
		// than let the host check find it later without a cause.
		state := "?"
		if fields, err := procStat(r.pid); err == nil {
			state = fields[0]
		}
		return fmt.Errorf("%s (pid %d) still runs 5 s after SIGKILL (state %s)", r.name, r.pid, state)
	}
	return nil
}

// stopOrLog is stop for a teardown, which goes on past a process that will not stop (what it
// can still remove, it removes) and logs it; for a real node, the host check at the end fails on
// whatever is left.
func stopOrLog(p paths, rec *procRecord, grace time.Duration) {
	if err := stop(p, rec, grace); err != nil {
		logf("%v", err)
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
