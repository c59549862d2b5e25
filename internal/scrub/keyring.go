package scrub

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// KeyringSize is the length of a keyring made by NewKeyring, and the minimum ParseKeyring accepts.
const KeyringSize = 32

// valueLength is the length of a generated value: 32 base62 characters carry 190 bits.
const valueLength = 32

// Keyring derives the copy's generated values. One keyring per environment, made once and stored
// by the operator (in a Secret of the target namespace), so re-reconciles do not rotate values
// while different environments get different ones.
type Keyring []byte

// NewKeyring returns KeyringSize bytes from crypto/rand.
func NewKeyring() (Keyring, error) {
	k := make(Keyring, KeyringSize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("reading random bytes for the keyring: %w", err)
	}
	return k, nil
}

// ParseKeyring accepts a stored keyring, refusing one too short to be a secret key (a truncated or
// hand-edited Secret would otherwise make every generated value guessable).
func ParseKeyring(b []byte) (Keyring, error) {
	if len(b) < KeyringSize {
		return nil, fmt.Errorf("keyring is %d bytes, need at least %d", len(b), KeyringSize)
	}
	return Keyring(append([]byte(nil), b...)), nil
}

// Value returns a strong value for scope, deterministic for the keyring: 32 base62 characters with
// at least one lower-case letter, upper-case letter and digit (so password policies accept it),
// from HMAC-SHA256 over the scope's parts, each length-prefixed so ("ab","c") and ("a","bc")
// differ.
//
// Value panics when the keyring is shorter than KeyringSize: values from an empty or truncated key
// would be predictable, and every caller gets its keyring from NewKeyring or ParseKeyring.
func (k Keyring) Value(scope ...string) string {
	for attempt := 0; ; attempt++ {
		v := base62(k.mac("value", attempt, scope), valueLength)
		if hasClasses(v) {
			return v
		}
	}
}

// mac is HMAC-SHA256 over a purpose, an attempt counter and the length-prefixed scope parts.
func (k Keyring) mac(purpose string, attempt int, scope []string) []byte {
	if len(k) < KeyringSize {
		panic(fmt.Sprintf("scrub: keyring is %d bytes, need %d (use NewKeyring or ParseKeyring)", len(k), KeyringSize))
	}
	h := hmac.New(sha256.New, k)
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	write("envmirror/scrub/v1/" + purpose)
	write(strconv.Itoa(attempt))
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(scope)))])
	for _, s := range scope {
		write(s)
	}
	return h.Sum(nil)
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62 encodes the low n base62 digits of b read as a big-endian number. With 256 bits in and
// 32 digits (190 bits) out the bias is below 2^-60 per digit.
func base62(b []byte, n int) string {
	x := new(big.Int).SetBytes(b)
	base := big.NewInt(62)
	r := new(big.Int)
	out := make([]byte, n)
	for i := range out {
		x.QuoRem(x, base, r)
		out[i] = base62Digits[r.Int64()]
	}
	return string(out)
}

func hasClasses(v string) bool {
	var lower, upper, digit bool
	for i := 0; i < len(v); i++ {
		lower = lower || isLower(v[i])
		upper = upper || isUpper(v[i])
		digit = digit || isDigit(v[i])
	}
	return lower && upper && digit
}

// PrivateKeyPEM returns a deterministic ECDSA P-256 private key for scope, PKCS#8 PEM encoded:
// the generated stand-in for values that must parse as a private key (tls.key, *.pem, ssh keys).
func (k Keyring) PrivateKeyPEM(scope ...string) []byte {
	for attempt := 0; ; attempt++ {
		// A 256-bit string is a valid P-256 scalar unless it is zero or >= the group order
		// (probability about 2^-32), in which case the next attempt is used.
		key, err := ecdh.P256().NewPrivateKey(k.mac("ec-p256", attempt, scope))
		if err != nil {
			continue
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			panic("scrub: marshalling a P-256 key: " + err.Error()) // cannot happen for ecdh keys
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
}

// wantsPrivateKey reports keys whose value must parse as a private key for the workload to start:
// file names ending in .key, *key*.pem, and the ssh-auth Secret key.
func wantsPrivateKey(key string) bool {
	l := strings.ToLower(key)
	return strings.HasSuffix(l, ".key") || l == "ssh-privatekey" ||
		(strings.HasSuffix(l, ".pem") && strings.Contains(l, "key"))
}

// generate returns the generated value for a key: a private key when the name asks for one, else a
// Value.
func (k Keyring) generate(key string, scope ...string) []byte {
	if wantsPrivateKey(key) {
		return k.PrivateKeyPEM(scope...)
	}
	return []byte(k.Value(scope...))
}

// digits returns n decimal digits for scope (at least 1, at most 64): the stand-in for numeric
// secrets, so JSON and YAML numbers stay numbers.
func (k Keyring) digits(n int, scope ...string) string {
	n = min(max(n, 1), 64)
	var b strings.Builder
	for attempt := 0; b.Len() < n; attempt++ {
		for _, c := range k.mac("digits", attempt, scope) {
			if c < 250 && b.Len() < n { // 250 = 25*10: unbiased
				b.WriteByte('0' + c%10)
			}
		}
	}
	return b.String()
}
