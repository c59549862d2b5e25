package scrub

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"time"
)

// Key material for the corpus, made once per test binary: real certificates, public keys and
// JWKS documents, so that the cases hold what a copy would really carry rather than look-alikes.
var (
	testRSA                   = mustRSA()
	testCert, testKey         = selfSigned("api.shop.example.com")
	testCert2, _              = selfSigned("Shop Internal CA")
	testSSHPub                = sshEd25519Pub(3, "deploy@ci")
	testSSHPub2               = sshEd25519Pub(4, "ops@bastion")
	testJWKS                  = jwks(false)
	testPublicPEM             = pemOfPublic(&testRSA.PublicKey)
	testPKCS8DER              = base64.StdEncoding.EncodeToString(mustPKCS8(testRSA))
	testEd25519Raw, testEdPub = ed25519Pair(7)
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func mustPKCS8(k any) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return b
}

func selfSigned(cn string) (certPEM, keyPEM string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(1_700_000_000, 0), NotAfter: time.Unix(2_000_000_000, 0), DNSNames: []string{cn}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(k)}))
	return certPEM, keyPEM
}

func pemOfPublic(pub any) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ed25519Pair returns a deterministic key's private seed and public key, both base64.
func ed25519Pair(seed byte) (string, string) {
	k := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), 32)))
	return base64.StdEncoding.EncodeToString(k.Seed()), base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey))
}

// sshEd25519Pub writes an authorized_keys line for a deterministic Ed25519 key.
func sshEd25519Pub(seed byte, comment string) string {
	k := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), 32)))
	var blob []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), k.Public().(ed25519.PublicKey)} {
		blob = binary.BigEndian.AppendUint32(blob, uint32(len(part)))
		blob = append(blob, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " " + comment
}

// jwks is the RSA test key as a JWK Set: public members only, or with the private ones.
func jwks(private bool) string {
	enc := base64.RawURLEncoding.EncodeToString
	k := map[string]any{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "2024-05-shop",
		"n": enc(testRSA.N.Bytes()), "e": enc(big.NewInt(int64(testRSA.E)).Bytes())}
	if private {
		k["d"] = enc(testRSA.D.Bytes())
		k["p"] = enc(testRSA.Primes[0].Bytes())
		k["q"] = enc(testRSA.Primes[1].Bytes())
	}
	b, err := json.MarshalIndent(map[string]any{"keys": []any{k}}, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}
