package scrub

import "strings"

// What the known-value sweep does not look for, in one place. Every part of a prod Secret value
// (see secretParts) is looked for unless sweepExemption names a reason; each reason is narrow and
// exists because looking would replace harmless text in the copy more often than it could find a
// credential. TestSweepExemptionTable checks each rule with values on both sides of it.
const (
	// ExemptShort: shorter than minSweepLen (6) bytes. Such strings occur by chance in
	// configuration ("admin", port numbers, words); a blind replacement would break it.
	ExemptShort = "shorter than 6 bytes"
	// ExemptSmallNumber: a number of at most 6 digits (ports, PINs, counts). Numbers that short
	// are everywhere; a 6-digit secret is guessable anyway.
	ExemptSmallNumber = "a number of at most 6 digits"
	// ExemptDefault: a well-known default password (postgres, changeme, guest...). Anyone can
	// guess it, and the same word names images, URL schemes and users.
	ExemptDefault = "a well-known default password"
	// ExemptArmour: a PEM armour line (-----BEGIN ...-----), the same in every key, generated
	// ones included.
	ExemptArmour = "a PEM armour line"
	// ExemptPublic: public key material that parses as such (certificates, public keys, SSH
	// public keys, JWK Sets without private members): public by design, and CA bundles are
	// copied on purpose.
	ExemptPublic = "public key material"
	// ExemptHarmless: harmless whatever its key says: empty, a boolean or null, a variable or
	// config-provider reference, a path, a timestamp, public client configuration.
	ExemptHarmless = "harmless whatever its key"
	// ExemptPlainSetting: proven harmless by its shape (a host name, a URL without credentials,
	// a user name, an enum-like word) under a key that does not name a secret: Secrets carry the
	// host and user beside the password, and the copy's configuration names them too.
	ExemptPlainSetting = "a plain setting under a key that names no secret"
)

// wellKnownDefaults are default passwords anyone can guess; replacing them in every string of the
// copy would break image names ("postgres:16"), URL schemes and key names.
var wellKnownDefaults = map[string]bool{
	"password": true, "postgres": true, "changeme": true, "secret": true, "default": true,
	"example": true, "letmein": true, "passw0rd": true, "123456": true, "admin123": true,
	"rabbitmq": true, "mongodb": true, "welcome": true, "guest": true, "public": true,
}

// sweepExemption returns why the sweep does not look for part p, or "" when it does. Values of
// keys kept by a Keep rule are not looked for either (see NewSweep): the copy carries them on
// purpose.
func sweepExemption(p part) string {
	t := p.text
	switch {
	case len(t) < minSweepLen:
		return ExemptShort
	case allDigits(t) && len(t) <= 6:
		return ExemptSmallNumber
	case wellKnownDefaults[strings.ToLower(t)]:
		return ExemptDefault
	case strings.HasPrefix(t, "-----BEGIN ") && publicMaterial(t):
		return ExemptPublic
	case strings.HasPrefix(t, "-----BEGIN ") && !strings.Contains(strings.TrimSpace(t), "\n") && strings.HasSuffix(strings.TrimSpace(t), "-----"),
		strings.HasPrefix(t, "-----END "):
		return ExemptArmour
	case publicMaterial(t):
		return ExemptPublic
	case harmlessValue(t):
		return ExemptHarmless
	}
	if sensitive, _ := classifyKey(p.key); !sensitive && provenHarmless(t) {
		return ExemptPlainSetting
	}
	return ""
}

// exemptFromSweep reports parts the sweep does not look for.
func exemptFromSweep(p part) bool { return sweepExemption(p) != "" }
