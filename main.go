// Command manager runs the envmirror operator (internal/manager); `manager seed` runs the
// database seeding program and `manager probe` reads a prod dependency's version (and
// definitions), both started by the operator as Jobs (one binary, one image).
package main

import (
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/manager"
	"github.com/envmirror/envmirror/internal/seed"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	ctx := ctrl.SetupSignalHandler()
	var err error
	sub := ""
	if len(os.Args) > 1 {
		sub = os.Args[1]
	}
	switch sub {
	case "seed":
		if err = seed.Command(ctx, os.Args[2:], os.Stdout); err != nil {
			err = fmt.Errorf("seed: %w", err)
		}
	case "probe":
		if err = deps.Command(ctx, os.Args[2:], os.Stdout); err != nil {
			err = fmt.Errorf("probe: %w", err)
		}
	default:
		err = manager.Main(ctx, os.Args[1:], os.Getenv, version, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
