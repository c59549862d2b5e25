// Command manager runs the envmirror operator (internal/manager); `manager seed` runs the
// database seeding program that the operator starts as a Job (one binary, one image).
package main

import (
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/envmirror/envmirror/internal/manager"
	"github.com/envmirror/envmirror/internal/seed"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	ctx := ctrl.SetupSignalHandler()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "seed" {
		err = seed.Command(ctx, os.Args[2:], os.Stdout)
		if err != nil {
			err = fmt.Errorf("seed: %w", err)
		}
	} else {
		err = manager.Main(ctx, os.Args[1:], os.Getenv, version, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
