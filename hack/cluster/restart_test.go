package main

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestProcCmdlineIsTheRunningCommandLine(t *testing.T) {
	got, err := procCmdline(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, os.Args) {
		t.Errorf("procCmdline(self) = %q, want %q", got, os.Args)
	}
	if _, err := procCmdline(-1); err == nil {
		t.Error("procCmdline(-1): no error")
	}
}

// restart refuses what it cannot restart before it touches anything: the state folder here
// does not exist, so reaching the lock or the state would fail differently.
func TestRestartRefusesBadArguments(t *testing.T) {
	p := paths{dir: t.TempDir() + "/none"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "restart takes one component name"},
		{[]string{"etcd", "kwok"}, "restart takes one component name"},
		{[]string{"manager"}, `"manager" is not a component of the cluster`},
		{[]string{"--down=-1s", "etcd"}, "--down must not be negative"},
		{[]string{"--down=soon", "etcd"}, "invalid value"},
		{[]string{"kube-apiserver"}, "no cluster in"},
	} {
		err := restartCmd(p, tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("restart %q = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}
