package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// layer collects an image's files. Host files keep their paths; every ELF file brings the
// shared libraries ldd lists for it; everything is owned by root unless said otherwise.
type layer struct {
	entries map[string]*entry
	elves   []string
	err     error
}

func newLayer() *layer { return &layer{entries: map[string]*entry{}} }

func (l *layer) fail(err error) {
	if l.err == nil && err != nil {
		l.err = err
	}
}

// usrMerged lays out the top-level links of a Debian 12 root (/bin -> usr/bin, ...), so that
// paths as ldd prints them (/lib/x86_64-linux-gnu/...) and as scripts name them (/bin/sh) resolve.
func (l *layer) usrMerged() *layer {
	for _, d := range []string{"bin", "sbin", "lib", "lib64"} {
		l.entries["/"+d] = &entry{path: "/" + d, link: "usr/" + d}
	}
	for _, d := range []string{"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/local/bin", "/etc"} {
		l.dir(d, 0o755, 0, 0)
	}
	l.dir("/tmp", 0o1777, 0, 0)
	return l
}

// canonical resolves a host path's folders (not its last element) through symlinks, so that a
// library ldd names as /lib/x86_64-linux-gnu/libc.so.6 lands in /usr/lib/x86_64-linux-gnu.
func canonical(p string) string {
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return p
	}
	return filepath.Join(dir, filepath.Base(p))
}

// file adds a host file at its own (canonical) path, following a symlink to its content.
func (l *layer) file(hostPath string) *layer { return l.fileAt(hostPath, canonical(hostPath)) }

// fileAt adds a host file's content at another path.
func (l *layer) fileAt(hostPath, imagePath string) *layer {
	real, err := filepath.EvalSymlinks(hostPath)
	if err != nil {
		l.fail(fmt.Errorf("image file %s: %w", hostPath, err))
		return l
	}
	fi, err := os.Stat(real)
	if err != nil {
		l.fail(err)
		return l
	}
	l.entries[imagePath] = &entry{path: imagePath, src: real, mode: int64(fi.Mode().Perm())}
	if isELF(real) {
		l.elves = append(l.elves, real)
	}
	return l
}

// tree adds a host folder with everything under it, keeping symlinks as symlinks.
func (l *layer) tree(hostDir string) *layer {
	root := canonical(hostDir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			l.dir(p, int64(info.Mode().Perm()), 0, 0)
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			l.entries[p] = &entry{path: p, link: target}
		case info.Mode().IsRegular():
			l.entries[p] = &entry{path: p, src: p, mode: int64(info.Mode().Perm())}
			if isELF(p) {
				l.elves = append(l.elves, p)
			}
		}
		return nil
	})
	l.fail(err)
	return l
}

func (l *layer) dir(p string, mode int64, uid, gid int) *layer {
	l.entries[p] = &entry{path: p, dir: true, mode: mode, uid: uid, gid: gid}
	return l
}

func (l *layer) link(p, target string) *layer {
	l.entries[p] = &entry{path: p, link: target}
	return l
}

func (l *layer) content(p string, b []byte, mode int64) *layer {
	l.entries[p] = &entry{path: p, content: b, mode: mode}
	return l
}

// busyboxApplets links busybox's applets in /usr/bin wherever the image has no such program:
// the utilities the entrypoint scripts call (mkdir, chmod, id, find, sed, ...).
func (l *layer) busyboxApplets() *layer {
	l.fileAt("/usr/bin/busybox", "/usr/bin/busybox")
	out, err := exec.Command("/usr/bin/busybox", "--list").Output()
	if err != nil {
		l.fail(fmt.Errorf("busybox --list: %w", err))
		return l
	}
	for _, applet := range strings.Fields(string(out)) {
		p := "/usr/bin/" + applet
		if _, taken := l.entries[p]; !taken && l.entries["/usr/sbin/"+applet] == nil {
			l.link(p, "busybox")
		}
	}
	return l
}

// libraries adds the shared libraries of every ELF file in the layer, as ldd resolves them.
func (l *layer) libraries() *layer {
	seen := map[string]bool{}
	for _, bin := range l.elves {
		out, err := exec.Command("ldd", bin).Output()
		if err != nil {
			continue // static, or not a program ldd can read
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			for _, f := range strings.Fields(sc.Text()) {
				if strings.HasPrefix(f, "/") && !seen[f] {
					seen[f] = true
					if _, ok := l.entries[canonical(f)]; !ok {
						l.fileAt(f, canonical(f))
					}
				}
			}
		}
	}
	return l
}

func isELF(p string) bool {
	f, err := elf.Open(p)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// packageFiles adds the files and symlinks Debian's packages installed under the given folders
// (dpkg -L), leaving out what skip matches: an image gets the packages' own files, not whatever
// else this machine has installed next to them (PostGIS, say).
func (l *layer) packageFiles(pkgs []string, under []string, skip func(string) bool) *layer {
	out, err := exec.Command("dpkg", append([]string{"-L"}, pkgs...)...).Output()
	if err != nil {
		l.fail(fmt.Errorf("dpkg -L %s: %w", strings.Join(pkgs, " "), err))
		return l
	}
	for _, p := range strings.Split(string(out), "\n") {
		if p == "" || skip(p) || !underAny(p, under) {
			continue
		}
		fi, err := os.Lstat(p)
		switch {
		case err != nil || fi.IsDir():
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			l.fail(err)
			l.link(p, target)
		default:
			l.fileAt(p, p)
		}
	}
	return l
}

func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}
