package scrub

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// corpusCategories are the kinds of shape the corpus is organised by (issue 21). Every category
// has cases on both sides, so that recall and precision are measured on the same ground. The
// cases are written for this project in its own words, modelled on what public Helm charts,
// docker-compose files and framework samples put in configuration.
var corpusCategories = []struct{ name, about string }{
	{"urls", "URLs and connection strings: userinfo, query keys, JDBC/ADO/ODBC, Oracle user/password@host, tokens in URL paths"},
	{"files", "structured configuration files: YAML, JSON, TOML, XML, INI, properties, .env, HCL, settings written as code"},
	{"directives", "directive files of servers: nginx, Redis, HAProxy, JAAS, odbc.ini, SNMP, Squid, keepalived, BIND"},
	{"dotfiles", "client dotfiles and credential files: .pgpass, .my.cnf, .netrc, .npmrc, .pypirc, .git-credentials, docker and kube configs"},
	{"commands", "command lines, shell scripts and SQL init scripts"},
	{"env", "literal env values"},
	{"payloads", "payloads that must be opened: non-UTF-8 text, gzip/tar/zip archives, base64 documents and headers"},
	{"metadata", "labels, annotations and Ingress snippets"},
	{"tokens", "tokens recognised by their consumer (cluster cookies, agent keys) or their vendor prefix"},
	{"keys", "key material: private keys replaced; public keys, certificates and JWKS kept"},
	{"policies", "policies, file references and config-provider references under secret-sounding keys"},
	{"identifiers", "identifiers that look random, public client configuration, salts and seeds"},
	{"sweep", "prod Secret values pasted into the copy, transformed (case, encodings, escaping, folding)"},
}

// harmlessSection puts harmless cases in a category.
func harmlessSection(cat string, cases ...harmlessCase) []harmlessCase {
	for i := range cases {
		cases[i].cat = cat
	}
	return cases
}

// allLeakCases is the leak side of the corpus, issue 10's cases first.
func allLeakCases() []leakCase {
	return slices.Concat(leakCorpus, urlLeaks, fileLeaks, directiveLeaks, dotfileLeaks, commandLeaks, envLeaks,
		payloadLeaks, metadataLeaks, tokenLeaks, keyLeaks, policyLeaks, identifierLeaks, heldOutLeaks)
}

// allHarmlessCases is the harmless side of the corpus, issue 10's table first.
func allHarmlessCases() []harmlessCase {
	return slices.Concat(harmlessTable, urlHarmless, fileHarmless, directiveHarmless, dotfileHarmless, commandHarmless,
		envHarmless, payloadHarmless, metadataHarmless, tokenHarmless, keyHarmless, policyHarmless, identifierHarmless, heldOutHarmless)
}

// categoryScore counts one category's outcomes.
type categoryScore struct {
	leakCases, leaked, leakedStrict int
	harmless, changed               int
}

func (s categoryScore) row(name string) string {
	caught := s.leakCases - s.leaked
	return fmt.Sprintf("%-12s %5d %6d %6d %7s %8d %7d %8s %9s", name, s.leakCases, s.leaked, s.leakedStrict,
		percent(caught, s.leakCases), s.harmless, s.changed, percent(s.changed, s.harmless), percent(caught, caught+s.changed))
}

func percent(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
}

// scoreCorpus runs the whole corpus: leak cases in both modes (a leak in either counts), harmless
// cases in the default mode (Strict replaces what is not proven harmless by design).
func scoreCorpus() map[string]*categoryScore {
	scores := scoreCases(allLeakCases(), allHarmlessCases())
	sc := &canaries{seed: "sweep-corpus"}
	for _, swc := range sweepCorpus {
		s := scores["sweep"]
		if swc.harmless {
			s.harmless++
			if swc.changes(sc) {
				s.changed++
			}
			continue
		}
		s.leakCases++
		if swc.leaks(sc) != "" {
			s.leaked++
		}
	}
	return scores
}

// scoreCases scores leak and harmless cases by category (the sweep's cases are scoreCorpus's).
func scoreCases(leaks []leakCase, harmless []harmlessCase) map[string]*categoryScore {
	scores := map[string]*categoryScore{}
	for _, c := range corpusCategories {
		scores[c.name] = &categoryScore{}
	}
	c := &canaries{seed: "corpus"}
	for i, lc := range leaks {
		canary := lc.canaryOf(c, i)
		s := scores[lc.cat]
		s.leakCases++
		for _, mode := range []PlainMode{PlainScrub, PlainStrict} {
			in := plainCanaryInput()
			in.Mode = mode
			leaked := false
			for _, out := range runLeakCase(lc, canary, in) {
				leaked = leaked || len(lc.leaksOf(canary, out)) > 0
			}
			if leaked && mode == PlainScrub {
				s.leaked++
			} else if leaked {
				s.leakedStrict++
			}
		}
	}
	in := harmlessInput()
	for _, hc := range harmless {
		s := scores[hc.cat]
		s.harmless++
		if got, want := runHarmless(hc, in); got != want {
			s.changed++
		}
	}
	return scores
}

// scoreTable renders scores by category, with a total.
func scoreTable(scores map[string]*categoryScore) (string, categoryScore) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %5s %6s %6s %7s %8s %7s %8s %9s\n", "category", "leak", "leaked", "strict", "recall", "harmless", "changed", "changed%", "precision")
	var total categoryScore
	for _, c := range corpusCategories {
		s := scores[c.name]
		if s.leakCases+s.harmless == 0 {
			continue
		}
		b.WriteString(s.row(c.name) + "\n")
		total.leakCases += s.leakCases
		total.leaked += s.leaked
		total.leakedStrict += s.leakedStrict
		total.harmless += s.harmless
		total.changed += s.changed
	}
	b.WriteString(total.row("total") + "\n")
	return b.String(), total
}

// TestCorpusReport prints recall and precision per category: go test ./internal/scrub -run
// TestCorpusReport -v. Recall is the share of leak cases whose credential is gone in both modes
// ("leaked" counts Scrub mode, "strict" the further leaks of Strict mode); "changed" is the share
// of harmless values that did not come out byte-identical; precision is caught / (caught +
// changed). The corpus must stay at least twice issue 10's (160 leak and 73 harmless cases), with
// a harmless side as large as the leak side and both sides in every category.
func TestCorpusReport(t *testing.T) {
	scores := scoreCorpus()
	table, total := scoreTable(scores)
	for _, c := range corpusCategories {
		if s := scores[c.name]; s.leakCases == 0 || s.harmless == 0 {
			t.Errorf("category %s has %d leak and %d harmless cases; each side needs some", c.name, s.leakCases, s.harmless)
		}
	}
	t.Log("\n" + table)
	if total.leakCases+total.harmless < 2*(160+73) {
		t.Errorf("the corpus has %d cases, less than twice issue 10's 233", total.leakCases+total.harmless)
	}
	if total.harmless < total.leakCases {
		t.Errorf("the harmless side (%d) is smaller than the leak side (%d)", total.harmless, total.leakCases)
	}
}

// TestHeldOutReport prints the same figures for the held-out set alone (corpus_heldout_test.go:
// cases written after the scrubber was tuned), which the corpus's totals include:
// go test ./internal/scrub -run TestHeldOutReport -v.
func TestHeldOutReport(t *testing.T) {
	table, total := scoreTable(scoreCases(heldOutLeaks, heldOutHarmless))
	t.Log("\n" + table)
	if total.leakCases != len(heldOutLeaks) || total.harmless != len(heldOutHarmless) {
		t.Errorf("scored %d leak and %d harmless cases of %d and %d", total.leakCases, total.harmless, len(heldOutLeaks), len(heldOutHarmless))
	}
}

// TestCorpusCategories: every case names a known category.
func TestCorpusCategories(t *testing.T) {
	known := map[string]bool{}
	for _, c := range corpusCategories {
		known[c.name] = true
	}
	for _, lc := range allLeakCases() {
		if !known[lc.cat] {
			t.Errorf("leak case %q has category %q", lc.name, lc.cat)
		}
	}
	for _, hc := range allHarmlessCases() {
		if !known[hc.cat] {
			t.Errorf("harmless case %s %q has category %q", hc.where, hc.key, hc.cat)
		}
	}
}

// envH is a harmless env value.
func envH(key, value string) harmlessCase { return harmlessCase{where: "env", key: key, value: value} }

// cmH is a harmless ConfigMap value.
func cmH(key, value string) harmlessCase { return harmlessCase{where: "cm", key: key, value: value} }

// argsH is a harmless argv.
func argsH(argv ...string) harmlessCase { return harmlessCase{where: "args", args: argv} }

// why adds the reason of a judgment call.
func (hc harmlessCase) because(why string) harmlessCase {
	hc.why = why
	return hc
}
