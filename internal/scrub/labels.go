package scrub

import (
	"sort"
	"strings"
)

// Labels returns a copy of an object's labels with credentials replaced. Labels are identifiers
// that selectors match, so they are judged more narrowly than other values: a value is replaced
// when its key names a credential and the value is not proven harmless (an enum-like word such as
// "vault" under secret-store stays), when it holds a self-identifying token (a vendor prefix, a
// gitleaks rule), or when it looks random under a key that does not name an identifier (a
// pod-template-hash or a git-sha stays). The stand-in is Keyring.Value("label", key): the same
// for every object and every value under that key, so that a selector and the labels it
// selects still match in the copy (and so it is never derived from the prod value). Keys are not
// changed; a KeepPlain rule naming object (as workload or ConfigMap) and the label key keeps a
// value. The input is not modified; nil stays nil.
//
// The operator should run every label map it copies through Labels, the labels of pod templates
// and the matchLabels of selectors alike (they get the same stand-ins), and put the report's
// Uncertain entries in status with the object's name.
func Labels(object string, labels map[string]string, in PlainInput) (map[string]string, PlainReport) {
	var rep PlainReport
	if labels == nil {
		return nil, rep
	}
	out := make(map[string]string, len(labels))
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := labels[k]
		replace, uncertain := labelCredential(k, v)
		if !replace || keepsConfigMap(in.KeepPlain, object, k) || keepsWorkload(in.KeepPlain, object, k) {
			out[k] = v
			continue
		}
		out[k] = in.Keyring.Value("label", k)
		rep.add(k, 1)
		if uncertain {
			rep.addUncertain(k, []Uncertain{{Decision: UncertainReplaced, Reason: ReasonRandomOnly}})
		}
	}
	sort.Strings(rep.Keys)
	return out, rep
}

// labelCredential says whether a label's value is a credential, and whether only its randomness
// says so.
func labelCredential(key, v string) (replace, uncertain bool) {
	name := key[strings.LastIndexByte(key, '/')+1:] // a label key's prefix is a DNS domain
	t := strings.TrimSpace(v)
	switch {
	case t == "" || harmlessValue(t) || publicClientValue(t):
		return false, false
	case IsSensitive(name, t) && !provenHarmless(t) && !(referenceKey(name) && referenceValue(t)):
		return true, false
	case hasTokenPrefix(t) || len(detectionRules().find(t)) > 0:
		return true, false
	case looksRandom(t) && !(&docScrubber{}).entropyExempt(name, t):
		return true, true
	}
	return false, false
}
