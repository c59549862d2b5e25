package scrub

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// shellFormat scrubs a shell script with mvdan.cc/sh's parser, which gives every word's position:
// assignments (PGPASSWORD=x psql, export TOKEN=x) are judged by their names, each command's
// words by what the command is known to take (commandCredentials) and by the flag before them,
// here-documents as the files they write (cat > app.yaml <<EOF), "sh -c" scripts as scripts,
// and "echo x | docker login --password-stdin" pipes. Words that are not literal text
// ($VAR, $(cat file)) are references and stay.
func shellFormat(d *docScrubber, s string) (string, bool) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(s), "")
	if err != nil {
		return "", false
	}
	root := &docNode{isMap: true}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Assign:
			if lit, ok := wordLiteral(x.Value); ok && x.Name != nil {
				root.kids = append(root.kids, wordNode(s, x.Name.Value, x.Value, lit, 0, len(lit)))
			}
		case *syntax.CallExpr:
			root.kids = append(root.kids, callNodes(s, x)...)
		case *syntax.BinaryCmd:
			root.kids = append(root.kids, stdinPasswords(s, x)...)
		case *syntax.Redirect:
			if x.Hdoc != nil {
				target := ""
				if lit, ok := wordLiteral(x.Word); ok {
					target = lit
				}
				root.kids = append(root.kids, heredocNode(s, x.Hdoc, target))
			}
		}
		return true
	})
	return applyEdits(s, d.judge(root)), true
}

// commandLine scrubs a scalar that is a shell command line, or, when it does not parse, runs
// the text scanner over it.
func (d *docScrubber) commandLine(v, name string) string {
	if d.depth < maxDocDepth {
		inner := *d
		inner.depth++
		if out, ok := shellFormat(&inner, v); ok {
			return d.sc.afterParser(v, out)
		}
	}
	return d.plain(v, name)
}

// wordLiteral returns a word's text when it is literal (no expansion).
func wordLiteral(w *syntax.Word) (string, bool) {
	if w == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range w.Parts {
		switch x := p.(type) {
		case *syntax.Lit:
			b.WriteString(x.Value)
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(lit.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// wordNode is the scalar lit[start:end] of word w; a new value is written as the whole word,
// re-quoted.
func wordNode(s, key string, w *syntax.Word, lit string, start, end int) *docNode {
	ws, we := int(w.Pos().Offset()), int(w.End().Offset())
	return scalarNode(key, lit[start:end], ws, we, func(v string) string {
		return shellQuote(lit[:start] + v + lit[end:])
	})
}

// shellQuote writes a literal as one shell word: bare when it is safe, else single-quoted.
func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r < 128 && (isAlnum(byte(r)) || strings.ContainsRune("_-./:=@%+,", r)))
	}) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// callNodes returns the scalars of a simple command: the credentials its command is known to
// take (forced sensitive), the script of sh -c, and every other literal argument, judged under
// the flag before it.
func callNodes(s string, c *syntax.CallExpr) []*docNode {
	argv := make([]string, len(c.Args))
	literal := make([]bool, len(c.Args))
	for i, w := range c.Args {
		argv[i], literal[i] = wordLiteral(w)
	}
	var out []*docNode
	taken := map[int]bool{}
	for _, cr := range commandCredentials(argv, literal) {
		n := wordNode(s, cr.name, c.Args[cr.index], argv[cr.index], cr.start, cr.end)
		n.forced = true
		out = append(out, n)
		taken[cr.index] = true
	}
	cmd := ""
	if len(argv) > 0 {
		cmd = path.Base(argv[0])
	}
	for i := 1; i < len(argv); i++ {
		if !literal[i] || taken[i] {
			continue
		}
		key := cmd
		if strings.Contains(cmd, "passwd") && cmd != "htpasswd" {
			key = "user" // passwd, smbpasswd, kpasswd: their arguments are accounts and flags
		}
		if prev := argv[i-1]; strings.HasPrefix(prev, "-") && !strings.Contains(prev, "=") {
			key = strings.TrimLeft(prev, "-")
		}
		// An option's name is the program's vocabulary, never a credential: only the value after
		// "=" is judged, under the option's name (Strict mode replaced "--port=8080" and "-v"
		// whole, which broke the script).
		start := 0
		if name, _, hasValue := strings.Cut(argv[i], "="); flagName.MatchString(name) {
			if !hasValue {
				continue
			}
			key, start = strings.TrimLeft(name, "-"), len(name)+1
		}
		n := wordNode(s, key, c.Args[i], argv[i], start, len(argv[i]))
		n.command = argv[i-1] == "-c" && isShell(cmd)
		out = append(out, n)
	}
	return out
}

func isShell(cmd string) bool {
	switch cmd {
	case "sh", "bash", "dash", "ash", "zsh", "ksh":
		return true
	}
	return false
}

// stdinPasswords: "echo x | docker login --password-stdin" (and chpasswd, passwd --stdin) feed a
// credential through a pipe; echo's and printf's literal arguments are taken for it.
func stdinPasswords(s string, b *syntax.BinaryCmd) []*docNode {
	if b.Op != syntax.Pipe {
		return nil
	}
	feed, ok1 := b.X.Cmd.(*syntax.CallExpr)
	sink, ok2 := b.Y.Cmd.(*syntax.CallExpr)
	if !ok1 || !ok2 || len(feed.Args) < 2 || len(sink.Args) == 0 {
		return nil
	}
	name, _ := wordLiteral(feed.Args[0])
	if name != "echo" && name != "printf" {
		return nil
	}
	var sinkArgs []string
	for _, w := range sink.Args {
		lit, _ := wordLiteral(w)
		sinkArgs = append(sinkArgs, lit)
	}
	if !readsPasswordFromStdin(sinkArgs) {
		return nil
	}
	var out []*docNode
	for _, w := range feed.Args[1:] {
		if lit, ok := wordLiteral(w); ok && !strings.HasPrefix(lit, "-") {
			n := wordNode(s, "password", w, lit, 0, len(lit))
			n.forced = true
			out = append(out, n)
		}
	}
	return out
}

// heredocNode is a here-document's body, judged as the file it is written to.
func heredocNode(s string, body *syntax.Word, target string) *docNode {
	start, end := int(body.Pos().Offset()), int(body.End().Offset())
	return scalarNode(path.Base(target), s[start:end], start, end, keepAsIs)
}

// readsPasswordFromStdin reports a command that reads a password from its standard input:
// --password-stdin, chpasswd, passwd --stdin, smbpasswd -s, htpasswd -i.
func readsPasswordFromStdin(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	cmd := path.Base(argv[0])
	joined := " " + strings.Join(argv[1:], " ") + " "
	switch {
	case strings.Contains(joined, "-stdin") || cmd == "chpasswd":
		return true
	case cmd == "smbpasswd" && strings.Contains(joined, " -s "):
		return true
	case cmd == "htpasswd" && strings.Contains(joined, " -i"):
		return true
	}
	return false
}
