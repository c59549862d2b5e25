package scrub

import (
	"fmt"
	"strings"
)

// Uncertain is a value the scrubber decided about without a rule that makes it sure: replaced
// only because it looks random, or kept because it is public by design. Each comes out of the
// scrub calls in PlainReport.Uncertain, so that a user can see it (status, kubectl mirror
// status) and decide: keep a replaced value with a spec.config.keepPlain rule naming the object
// and Key, or choose spec.config.plainValues: Strict, which replaces what this package keeps on
// judgment (public client configuration, flag salts, unreadable binary data).
type Uncertain struct {
	// Key is where the value is in its object: the ConfigMap key, the env var name, the label
	// key, or "args" for a container's command line. The caller knows the object.
	Key string `json:"key"`
	// Path locates the value inside Key's value when it is not the whole value: a document path
	// (database.password), an archive member (bundle.tgz: conf/app.yaml: db.password), a flag.
	Path string `json:"path,omitempty"`
	// Decision is what the scrubber did.
	Decision UncertainDecision `json:"decision"`
	// Reason says why the decision is uncertain; one of the Reason* texts, possibly followed by
	// ": " and details.
	Reason string `json:"reason"`
}

// UncertainDecision is what was done with an uncertain value.
type UncertainDecision string

const (
	// UncertainReplaced: the value was replaced; keep it with a keepPlain rule if it is not a
	// credential.
	UncertainReplaced UncertainDecision = "Replaced"
	// UncertainKept: the value was copied as it is; Strict mode replaces it.
	UncertainKept UncertainDecision = "Kept"
)

// The reasons a decision is uncertain.
const (
	// ReasonRandomOnly: nothing but the value's randomness said it is a credential (no key, file
	// structure, command or rule): a cluster id, a salt or a build reference looks the same.
	ReasonRandomOnly = "replaced only because it looks random"
	// ReasonPublicByDesign: kept as client configuration published by design (a public DSN, a
	// publishable or browser key), which the copy's clients may need as it is.
	ReasonPublicByDesign = "kept as public client configuration"
	// ReasonFlagBucketing: kept as a feature flag's salt or seed, which buckets users and is
	// sent to client SDKs.
	ReasonFlagBucketing = "kept as a feature flag's salt or seed"
	// ReasonBinaryUnread: binary data no reader opens (not text, not an archive) was copied as
	// it is; only the known-value sweep looked at it.
	ReasonBinaryUnread = "binary data copied unread"
	// ReasonPayloadUnreadable: an archive or encoded text could not be opened or written back
	// within the bounds (corrupt, too large, too many members, encrypted, nested too deep), and
	// was replaced whole by an empty one of its kind.
	ReasonPayloadUnreadable = "replaced whole: cannot be opened safely"
)

// KeepKey is the key of the spec.config.keepPlain rule that keeps the value (with configMap or
// workload naming the object): the key itself for a whole value, key#path for a value inside a
// document (app.yaml#features.partner_ref), args[N] for an argument. A value inside an archive
// or binary data cannot be kept alone: its rule keeps the whole key.
func (u Uncertain) KeepKey() string {
	if u.Path == "" || strings.Contains(u.Path, ": ") || strings.HasPrefix(u.Path, u.Key) {
		return u.Key
	}
	return u.Key + "#" + u.Path
}

func (u Uncertain) String() string {
	where := u.Key
	if u.Path != "" {
		where += " (" + u.Path + ")"
	}
	return fmt.Sprintf("%s: %s, %s", where, u.Decision, u.Reason)
}

// maxUncertain bounds the uncertain values one report lists: status must stay small, and a
// value of thousands of random ids is one decision to review, not thousands.
const maxUncertain = 64

// addUncertain appends what one value's scrub was unsure about, under key.
func (r *PlainReport) addUncertain(key string, us []Uncertain) {
	for _, u := range us {
		if len(r.Uncertain) >= maxUncertain {
			r.UncertainOmitted++
			continue
		}
		u.Key = key
		r.Uncertain = append(r.Uncertain, u)
	}
}

// doubt records an uncertain decision about the value at path.
func (sc *scrubber) doubt(path string, d UncertainDecision, reason string) {
	sc.uncertain = append(sc.uncertain, Uncertain{Path: path, Decision: d, Reason: reason})
}
