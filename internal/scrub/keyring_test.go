package scrub

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// testKeyring is a fixed keyring so tests are deterministic.
func testKeyring(seed byte) Keyring {
	return Keyring(bytes.Repeat([]byte{seed}, KeyringSize))
}

func TestKeyringValue(t *testing.T) {
	k := testKeyring(1)
	v := k.Value("secret", "db", "password")
	if v != k.Value("secret", "db", "password") {
		t.Fatal("Value is not deterministic")
	}
	if len(v) != 32 {
		t.Fatalf("len(Value) = %d, want 32", len(v))
	}
	for i := 0; i < len(v); i++ {
		if !strings.ContainsRune(base62Digits, rune(v[i])) {
			t.Fatalf("Value %q has a non-base62 character %q", v, v[i])
		}
	}
	if other := testKeyring(2).Value("secret", "db", "password"); other == v {
		t.Error("different keyrings give the same value")
	}
	distinct := map[string][]string{}
	for _, scope := range [][]string{
		{"secret", "db", "password"},
		{"secret", "db", "passwordx"},
		{"secret", "dbp", "assword"}, // same concatenation, different parts
		{"secret", "db"},
		{"secret", "db", "password", ""},
		{"configmap", "db", "password"},
		{},
	} {
		val := k.Value(scope...)
		if prev, dup := distinct[val]; dup {
			t.Errorf("scopes %q and %q give the same value", prev, scope)
		}
		distinct[val] = scope
	}
}

func TestKeyringValueClassesAndSpread(t *testing.T) {
	k := testKeyring(3)
	counts := map[byte]int{}
	for i := 0; i < 2000; i++ {
		v := k.Value("n", string(rune('a'+i%26)), strings.Repeat("x", i/26))
		if !hasClasses(v) {
			t.Fatalf("Value %q lacks a lower-case letter, upper-case letter or digit", v)
		}
		for j := 0; j < len(v); j++ {
			counts[v[j]]++
		}
	}
	// 64000 characters over 62 symbols: about 1032 each. A broken encoder (always the same few
	// digits) would be far off.
	if len(counts) != 62 {
		t.Fatalf("only %d distinct characters used", len(counts))
	}
	for c, n := range counts {
		if n < 700 || n > 1400 {
			t.Errorf("character %q appears %d times; expected about 1032", c, n)
		}
	}
}

func TestNewKeyring(t *testing.T) {
	a, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != KeyringSize || bytes.Equal(a, b) {
		t.Fatalf("NewKeyring: len %d, equal to another: %v", len(a), bytes.Equal(a, b))
	}
	if a.Value("x") == b.Value("x") {
		t.Error("two new keyrings give the same value")
	}
}

func TestParseKeyring(t *testing.T) {
	if _, err := ParseKeyring(make([]byte, KeyringSize-1)); err == nil {
		t.Error("ParseKeyring accepted a short key")
	}
	raw := bytes.Repeat([]byte{7}, KeyringSize)
	k, err := ParseKeyring(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw[0] = 8
	if k[0] != 7 {
		t.Error("ParseKeyring aliases its input")
	}
}

func TestKeyringValuePanicsOnShortKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Value with an empty keyring did not panic")
		}
	}()
	Keyring(nil).Value("x")
}

func TestPrivateKeyPEM(t *testing.T) {
	k := testKeyring(4)
	p := k.PrivateKeyPEM("secret", "s", "tls.key")
	if !bytes.Equal(p, k.PrivateKeyPEM("secret", "s", "tls.key")) {
		t.Fatal("PrivateKeyPEM is not deterministic")
	}
	if bytes.Equal(p, k.PrivateKeyPEM("secret", "s", "other.key")) {
		t.Fatal("PrivateKeyPEM ignores the scope")
	}
	block, _ := pem.Decode(p)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("not a PKCS#8 PEM block: %q", p)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := key.(*ecdsa.PrivateKey); !ok {
		t.Fatalf("key is %T, want *ecdsa.PrivateKey", key)
	}
}

func TestDigits(t *testing.T) {
	k := testKeyring(5)
	for _, n := range []int{1, 4, 16, 64, 100} {
		d := k.digits(n, "x")
		if want := min(n, 64); len(d) != want || !allDigits(d) {
			t.Errorf("digits(%d) = %q", n, d)
		}
	}
	if k.digits(12, "a") == k.digits(12, "b") {
		t.Error("digits ignores the scope")
	}
}
