package deps

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// tlsMariaDB starts a MariaDB (Debian's, as hack/with-services.sh installs it) that takes only
// TLS connections (require_secure_transport), with a certificate of a private CA, as RDS for
// MySQL 8.4 does by default. It returns the server's URL (no tls parameter) and the CA.
func tlsMariaDB(t *testing.T) (string, *testCA) {
	t.Helper()
	var bins []string
	for _, b := range []string{"mariadb-install-db", "mariadbd", "mariadb"} {
		p, err := exec.LookPath(b)
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed in CI (hack/with-services.sh installs mariadb-server)", b)
			}
			t.Skipf("%s is not installed: run under hack/with-services.sh, which installs mariadb-server", b)
		}
		bins = append(bins, p)
	}
	dir, err := os.MkdirTemp("", "envmirror-tls-mariadb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ca := newTestCA(t)
	certPEM, keyPEM := ca.issue(t, "127.0.0.1", "localhost")
	for name, b := range map[string][]byte{"ca.pem": ca.pem, "cert.pem": certPEM, "key.pem": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var user []string
	if os.Geteuid() == 0 {
		user = []string{"--user=root"} // the files are root's; the server refuses root without it
	}
	install := exec.Command(bins[0], append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "db"),
		"--auth-root-authentication-method=normal", "--skip-test-db"}, user...)...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	sock := filepath.Join(dir, "sock")
	server := exec.Command(bins[1], append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "db"), "--socket=" + sock,
		"--pid-file=" + filepath.Join(dir, "pid"), fmt.Sprintf("--port=%d", port), "--bind-address=127.0.0.1",
		"--skip-name-resolve", "--log-error=" + filepath.Join(dir, "log"), "--require-secure-transport=ON",
		"--ssl-ca=" + filepath.Join(dir, "ca.pem"), "--ssl-cert=" + filepath.Join(dir, "cert.pem"),
		"--ssl-key=" + filepath.Join(dir, "key.pem")}, user...)...)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Process.Kill(); _ = server.Wait() })
	client := func(sql string) error {
		return exec.Command(bins[2], "--no-defaults", "--socket="+sock, "-uroot", "-e", sql).Run()
	}
	deadline := time.Now().Add(60 * time.Second)
	for client("SELECT 1") != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("MariaDB did not start:\n%s", log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := client("CREATE USER 'prober'@'%' IDENTIFIED BY 'CANARY-mysql-pw'; CREATE DATABASE shop; GRANT SELECT ON shop.* TO 'prober'@'%';"); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("mysql://prober:CANARY-mysql-pw@127.0.0.1:%d/shop", port), ca
}

// RDS and Cloud SQL MySQL: TLS only, certificates of their own CAs. With the CA bundle the
// probe reads the version over verified TLS; without it, the error names what to set.
func TestProbeMySQLOverTLSWithItsCA(t *testing.T) {
	prod, ca := tlsMariaDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name, url string
		bundle    []byte
		wantErr   string
	}{
		{name: "the CA bundle turns TLS on", url: prod, bundle: ca.pem},
		{name: "tls=true with the CA bundle", url: prod + "?tls=true", bundle: ca.pem},
		{name: "no TLS (MariaDB says access denied)", url: prod, wantErr: "add ?tls=true"},
		{name: "TLS without the CA", url: prod + "?tls=true", wantErr: "versionFrom.caSecretRef"},
		{name: "the wrong CA", url: prod, bundle: newTestCA(t).pem, wantErr: "neither public nor in versionFrom.caSecretRef's bundle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Probe(ctx, Options{Engine: v1alpha1.EngineMariaDB, CABundle: tc.bundle}, tc.url, "")
			if tc.wantErr == "" {
				if err != nil || s.Distribution != "mariadb" || s.Database != "shop" {
					t.Fatalf("%+v %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "CANARY") {
				t.Errorf("error %v, want one saying %q (and no password)", err, tc.wantErr)
			}
		})
	}
}

// MySQL itself names the refusal (ER_SECURE_TRANSPORT_REQUIRED); no MySQL server runs here, so
// its error is built as the driver returns it.
func TestMySQLTLSHint(t *testing.T) {
	refused := &mysql.MySQLError{Number: 3159, SQLState: [5]byte{'H', 'Y', '0', '0', '0'},
		Message: "Connections using insecure transport are prohibited while --require_secure_transport=ON."}
	if err := mysqlTLSHint(fmt.Errorf("reading: %w", refused), false); !strings.Contains(err.Error(), "prod accepts only TLS connections: add ?tls=true") {
		t.Errorf("%v", err)
	}
	if err := mysqlTLSHint(refused, true); err != refused {
		t.Errorf("over TLS the error stays as it is: %v", err)
	}
	other := &mysql.MySQLError{Number: 1049, Message: "Unknown database"}
	if err := mysqlTLSHint(other, false); err != other {
		t.Errorf("%v", err)
	}
}
