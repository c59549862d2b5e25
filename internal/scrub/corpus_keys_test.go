package scrub

import (
	"encoding/base64"
	"strings"
)

var keyLeaks = section("keys",
	leakCase{name: "jwks with private members", where: "cm", key: "jwks.json", in: func(c string) string {
		return strings.Replace(jwks(false), `"e": "AQAB",`, `"e": "AQAB", "d": "`+c+c+c+`", "p": "`+c+`",`, 1)
	}},
	cm("symmetric jwk", "signing.jwk", false, func(c string) string {
		return `{"kty": "oct", "kid": "hmac-2024", "alg": "HS256", "k": "` + c + c[:19] + `"}`
	}),
	cm("pgp private key block", "backup-signing.asc", false, func(c string) string {
		return "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGYx" + c + "\n" + c + c + "\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----\n"
	}),
	cm("wireguard preshared key", "wg0.conf", false, func(c string) string {
		return "[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nPresharedKey = " + c + "Qk9bUqW0hGx7zY=\nAllowedIPs = 10.8.0.0/24\n"
	}),
	env("private key with escaped newlines", "SSH_DEPLOY_KEY", false, func(c string) string {
		return `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA` + c + `\n` + c + c + `\n-----END OPENSSH PRIVATE KEY-----\n`
	}),
	cm("keystore password in properties", "application.properties", true, func(c string) string {
		return "server.ssl.key-store=/etc/tls/keystore.p12\nserver.ssl.key-store-type=PKCS12\nserver.ssl.key-store-password=" + c + "\n"
	}),
	leakCase{name: "bare base64 PKCS#8 key under a harmless field", where: "cm", key: "signer.json", secret: func(string) string { return testPKCS8DER[200:260] },
		in: func(c string) string { return `{"alg": "RS256", "kid": "` + c + `", "pkcs8": "` + testPKCS8DER + `"}` }},
	leakCase{name: "ed25519 seed beside its public key", where: "cm", key: "relay-credentials.json", secret: func(string) string { return testEd25519Raw[:40] },
		in: func(c string) string {
			return `{"secret_key": "` + testEd25519Raw + `", "public_key": "` + testEdPub + `", "id": "` + c[:8] + `-7425-40de-944b-e07fc1f90ae7"}`
		}},
	cm("private key in a tls bundle file", "server.pem", false, func(c string) string {
		return testCert + "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + c + "\n" + c + c + "\n-----END EC PRIVATE KEY-----\n"
	}),
	cm("rsa private key base64 in yaml", "signing.yaml", false, func(c string) string {
		return "jwt:\n  issuer: https://auth.example.com\n  private_key_b64: " + base64.StdEncoding.EncodeToString([]byte("-----BEGIN RSA PRIVATE KEY-----\n"+c+c+"\n-----END RSA PRIVATE KEY-----\n")) + "\n"
	}),
)

var keyHarmless = harmlessSection("keys",
	cmH("ca-bundle.crt", testCert+testCert2),
	envH("JWT_PUBLIC_KEY", testPublicPEM).because("a public key verifies tokens; it signs nothing"),
	cmH("jwt-public.pem", testPublicPEM),
	cmH("id_ed25519.pub", testSSHPub+"\n"),
	cmH("authorized_keys", "# deploy keys\n"+testSSHPub+"\ncommand=\"/usr/bin/rrsync -ro /backup\",no-agent-forwarding,no-pty "+testSSHPub2+"\n"),
	cmH("ssh_known_hosts", "@cert-authority *.example.com "+testSSHPub+"\nbastion.example.com,10.0.0.5 "+testSSHPub2+"\n"),
	cmH("jwks.json", testJWKS),
	cmH("jwks-ec.json", `{"keys": [{"kty": "EC", "crv": "P-256", "kid": "ec-2024", "use": "sig", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`),
	cmH("jwks-x5c.json", `{"keys": [{"kty": "RSA", "kid": "2024-05-shop", "use": "sig", "x5t": "NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg", "x5c": ["`+strings.Join(strings.Split(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(testCert, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n")), "\n"), "")+`"]}]}`),
	cmH("cloud-init.yaml", "#cloud-config\nusers:\n  - name: ops\n    ssh_authorized_keys:\n      - "+testSSHPub+"\n      - "+testSSHPub2+"\n"),
	cmH("signing-key.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZjH1ZhYJKwYBBAHaRw8BAQdAk1Qc7c0zq9RjqlYuTh7oK2QbXxmoQnVn9a3f\ntDNTaG9wIFJlbGVhc2VzIDxyZWxlYXNlc0BleGFtcGxlLmNvbT6ImQQTFgoAQRYh\n=q4Kd\n-----END PGP PUBLIC KEY BLOCK-----\n"),
	cmH("relay.yml", "relay:\n  mode: managed\nstatic_relays:\n  7c9e6679-7425-40de-944b-e07fc1f90ae7:\n    public_key: "+strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(testEdPub))[:43], "=")+"\n    internal: true\n").because("a relay's public key identifies it to Sentry; only its secret key authenticates"),
	cmH("wg0.conf", "[Interface]\nAddress = 10.8.0.1/24\nListenPort = 51820\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.8.0.2/32\nEndpoint = vpn.example.com:51820\n"),
	cmH("openid-configuration.json", `{"issuer": "https://auth.example.com/realms/shop", "authorization_endpoint": "https://auth.example.com/realms/shop/protocol/openid-connect/auth", "token_endpoint": "https://auth.example.com/realms/shop/protocol/openid-connect/token", "jwks_uri": "https://auth.example.com/realms/shop/protocol/openid-connect/certs", "id_token_signing_alg_values_supported": ["RS256", "ES256"], "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"]}`),
	cmH("saml-metadata.xml", "<EntityDescriptor entityID=\"https://auth.example.com/realms/shop\">\n  <IDPSSODescriptor>\n    <KeyDescriptor use=\"signing\">\n      <KeyInfo><X509Data><X509Certificate>"+strings.ReplaceAll(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(testCert, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n")), "\n", "")+"</X509Certificate></X509Data></KeyInfo>\n    </KeyDescriptor>\n  </IDPSSODescriptor>\n</EntityDescriptor>\n"),
	cmH("tls-paths.yaml", "tls:\n  cert: /etc/tls/tls.crt\n  key: /etc/tls/tls.key\n  ca: /etc/tls/ca.crt\n"),
	envH("SSH_PUBLIC_KEY", testSSHPub),
	cmH("cert-fingerprints.txt", "api.shop.example.com SHA256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"),
)
