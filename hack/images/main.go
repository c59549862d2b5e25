// Command images builds the real node's container images without Docker: each is one layer of
// files taken from this machine (Debian's packages, or binaries built from the Go module proxy)
// plus the test doubles' scripts under test/images, written as an OCI image archive that
// `ctr images import` reads. Archives are cached by a hash of everything that goes into them
// (${ENVMIRROR_CACHE:-~/.cache/envmirror}/images), so a rerun with the same inputs takes
// seconds.
//
//	go run ./hack/images -out bin/node/images -coredns PATH -manager PATH -manager-image NAME [image...]
//
// For each image NAME it leaves NAME.tar (a link into the cache) and NAME.ref (its first
// reference) in -out. Images: pause, busybox, coredns, manager, postgres, redis, rabbitmq,
// mariadb (default: all). The engine images are test doubles of the official images, named like
// them so the operator's unchanged pod specs run them; they are never shipped.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"

	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// builderVersion changes the cache key of every image when the way images are laid out changes.
const builderVersion = "1"

type options struct {
	out, repo, cache, coredns, manager, managerImage string
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "bin/node/images", "where NAME.tar and NAME.ref are written")
	flag.StringVar(&o.repo, "repo", ".", "the repository root (test/images, hack/images/pause)")
	flag.StringVar(&o.coredns, "coredns", "bin/node/coredns", "the CoreDNS binary")
	flag.StringVar(&o.manager, "manager", "", "the manager binary (static)")
	flag.StringVar(&o.managerImage, "manager-image", "envmirror/manager:dev", "the manager image's name")
	flag.Parse()
	o.cache = filepath.Join(cacheRoot(), "images")
	if abs, err := filepath.Abs(o.repo); err == nil {
		o.repo = abs
	}
	names := flag.Args()
	if len(names) == 0 {
		names = []string{"pause", "busybox", "coredns", "manager", "postgres", "redis", "rabbitmq", "mariadb"}
	}
	for _, n := range names {
		start := time.Now()
		built, err := build(o, n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "images: %s: %v\n", n, err)
			os.Exit(1)
		}
		if built {
			fmt.Fprintf(os.Stderr, "images: built %s in %s\n", n, time.Since(start).Round(100*time.Millisecond))
		}
	}
}

func cacheRoot() string {
	if c := os.Getenv("ENVMIRROR_CACHE"); c != "" {
		return c
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "envmirror")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "envmirror")
}

// image is a recipe's result: its files, its config and its names.
type image struct {
	layer  *layer
	config imageConfig
	names  []string
}

// build makes one image's archive unless the cache has it; it reports whether it built.
func build(o options, name string) (bool, error) {
	recipe, ok := recipes[name]
	if !ok {
		return false, fmt.Errorf("no such image (one of %s)", strings.Join(recipeNames(), ", "))
	}
	img, err := recipe(o)
	if err != nil {
		return false, err
	}
	if img.layer.err != nil {
		return false, img.layer.err
	}
	img.layer.libraries()
	if img.layer.err != nil {
		return false, img.layer.err
	}
	key, err := cacheKey(name, o.repo, img)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(o.cache, 0o755); err != nil {
		return false, err
	}
	archive := filepath.Join(o.cache, name+"-"+key[:16]+".tar")
	built := false
	if _, err := os.Stat(archive); err != nil {
		if err := writeImage(archive, img); err != nil {
			return false, err
		}
		built = true
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return false, err
	}
	link := filepath.Join(o.out, name+".tar")
	_ = os.Remove(link)
	if err := os.Symlink(archive, link); err != nil {
		return false, err
	}
	return built, os.WriteFile(filepath.Join(o.out, name+".ref"), []byte(img.names[0]+"\n"), 0o644)
}

// cacheKey hashes everything an archive depends on: each entry's path, owner, mode and source
// (a host file by path, size and modification time; literal content by value), the config and
// the names.
func cacheKey(name, repo string, img image) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "builder %s\nimage %s\n", builderVersion, name)
	paths := make([]string, 0, len(img.layer.entries))
	for p := range img.layer.entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e := img.layer.entries[p]
		fmt.Fprintf(h, "%s %o %d %d %v %q", p, e.mode, e.uid, e.gid, e.dir, e.link)
		switch {
		case e.src != "" && strings.HasPrefix(e.src, repo+string(filepath.Separator)):
			// The repository's own files by content: every clone has other paths and times.
			b, err := os.ReadFile(e.src)
			if err != nil {
				return "", err
			}
			h.Write(b)
		case e.src != "":
			fi, err := os.Stat(e.src)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, " %s %d %d", e.src, fi.Size(), fi.ModTime().UnixNano())
		}
		h.Write(e.content)
		h.Write([]byte{'\n'})
	}
	cfg, _ := json.Marshal(img.config)
	h.Write(cfg)
	fmt.Fprintf(h, "%q", img.names)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeImage writes the layer to a temporary file (its digest is needed before the archive),
// then the archive, atomically.
func writeImage(archive string, img image) error {
	tmpLayer, err := os.CreateTemp(filepath.Dir(archive), ".layer-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmpLayer.Name())
	digest, size, err := writeLayer(tmpLayer, img.layer.entries)
	if cerr := tmpLayer.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(archive), ".archive-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeArchive(tmp, tmpLayer.Name(), digest, size, img.config, img.names); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), archive)
}
