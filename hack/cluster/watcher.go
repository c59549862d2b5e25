package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// watcher starts components and waits for conditions, failing as soon as a component it
// started exits.
type watcher struct {
	p     paths
	exits map[string]<-chan error
}

// launch starts a component with a command line, after checking that its ports are free.
func (w *watcher) launch(s *state, name string, cmdline []string) (*procRecord, error) {
	return w.launchEnv(s, name, cmdline, nil)
}

// launchEnv is launch with extra environment variables.
func (w *watcher) launchEnv(s *state, name string, cmdline, extraEnv []string) (*procRecord, error) {
	for _, port := range componentPorts(s, name) {
		if err := checkPortFree(port.number, port.spec); err != nil {
			return nil, err
		}
	}
	rec, exited, err := spawn(w.p, name, cmdline, extraEnv)
	if err != nil {
		return nil, err
	}
	w.exits[name] = exited
	logf("started %s (pid %d, log %s)", name, rec.pid, w.p.log(name))
	return rec, nil
}

// waitReady waits until a just-started component serves: etcd's /health, the apiserver's
// /readyz. The other components have no probe here (the nodes becoming Ready show KWOK and
// the controller manager at work); for them it only checks that they have not exited at once.
func (w *watcher) waitReady(s *state, name string) error {
	start := time.Now()
	var err error
	switch name {
	case compEtcd:
		health := fmt.Sprintf("http://127.0.0.1:%d/health", s.EtcdPort)
		err = w.wait("etcd to be healthy", 60*time.Second, func(ctx context.Context) (bool, string) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return false, err.Error()
			}
			defer resp.Body.Close()
			return resp.StatusCode == http.StatusOK, resp.Status
		})
	case compAPIServer:
		api, aerr := newAPIClient(w.p, s.APIServerPort)
		if aerr != nil {
			return aerr
		}
		err = w.wait("kube-apiserver to be ready", 120*time.Second, func(ctx context.Context) (bool, string) {
			return api.ready(ctx), "/readyz not ok"
		})
	default:
		deadline := time.Now().Add(1500 * time.Millisecond)
		err = w.wait(name+" to keep running", 2*time.Second, func(context.Context) (bool, string) {
			return time.Now().After(deadline), ""
		})
	}
	if err == nil {
		logf("%s ready in %s", name, time.Since(start).Round(100*time.Millisecond))
	}
	return err
}

// wait polls check until it returns true, failing when a started component exits.
func (w *watcher) wait(what string, timeout time.Duration, check func(context.Context) (bool, string)) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		for name, ch := range w.exits {
			select {
			case werr := <-ch:
				return fmt.Errorf("%s exited (%v) while waiting for %s; the end of %s:\n%s",
					name, werr, what, w.p.log(name), indent(tail(w.p.log(name), 25)))
			default:
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ok, detail := check(ctx)
		cancel()
		if ok {
			return nil
		}
		if detail != "" {
			last = detail
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s (last: %s)", timeout, what, orNone([]string{last}))
		}
		time.Sleep(250 * time.Millisecond)
	}
}
