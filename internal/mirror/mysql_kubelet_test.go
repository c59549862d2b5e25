package mirror_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/internal/mirror"
)

// What the real runs of the MySQL Jobs need from this machine: the MariaDB of
// hack/with-services.sh (ENVMIRROR_TEST_MYSQL_URL) as prod, its binaries to start a stand-in
// server with the StatefulSet's own arguments, and the manager binary built from this tree. A
// kubelet is played by containerEnv and runContainer: the Job's environment resolved as the
// kubelet resolves it, its mounts mapped to directories here.

const mysqlURLEnv = "ENVMIRROR_TEST_MYSQL_URL"

// prodMySQL is the with-services MariaDB, or a skip outside CI (a failure in CI).
func prodMySQL(t *testing.T) mirror.MySQLEndpoint {
	t.Helper()
	raw := os.Getenv(mysqlURLEnv)
	if raw == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set in CI: run hack/with-services.sh go test ./internal/mirror/", mysqlURLEnv)
		}
		t.Skipf("%s is not set; run: hack/with-services.sh go test ./internal/mirror/ -run MySQLJobs", mysqlURLEnv)
	}
	ep, err := mirror.ParseMySQLDSN(strings.TrimSuffix(raw, "/") + "/mysql")
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// openMySQL connects to one database of a server.
func openMySQL(t *testing.T, ep mirror.MySQLEndpoint, database string) *sql.DB {
	t.Helper()
	cfg := mysqldriver.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net = ep.User, ep.Password, "tcp"
	cfg.Addr, cfg.DBName, cfg.MultiStatements = net.JoinHostPort(ep.Host, fmt.Sprint(ep.Port)), database, true
	conn, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var (
	managerOnce sync.Once
	managerPath string
	managerErr  error
)

// managerBinary builds the manager from this tree once per test binary (go build's cache makes
// a rebuild of an unchanged tree quick).
func managerBinary(t *testing.T) string {
	t.Helper()
	managerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "envmirror-manager-")
		if err != nil {
			managerErr = err
			return
		}
		managerPath = filepath.Join(dir, "manager")
		cmd := exec.Command("go", "build", "-o", managerPath, "github.com/envmirror/envmirror")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			managerErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if managerErr != nil {
		t.Fatal(managerErr)
	}
	return managerPath
}

// standInServer is a MariaDB server started here with a stand-in container's arguments.
type standInServer struct {
	port   int
	socket string
}

// startStandInServer starts mariadbd with the stand-in container's own arguments (its data
// directory moved here) over MySQL 8's defaults (local_infile off, binary logging on), plus
// what this machine needs (its own port and socket). It initializes the database and user as the
// official images' entrypoint does from the container's environment (MYSQL_DATABASE,
// MYSQL_USER, MYSQL_PASSWORD), resolved from the credentials Secret.
func startStandInServer(t *testing.T, c corev1.Container, secrets map[string]map[string][]byte) standInServer {
	t.Helper()
	dir := t.TempDir()
	var asRoot []string
	if os.Geteuid() == 0 {
		asRoot = []string{"--user=root"} // the directory is root's; mariadbd refuses root without it
	}
	install := exec.Command("mariadb-install-db", append([]string{"--no-defaults", "--datadir=" + filepath.Join(dir, "db"),
		"--auth-root-authentication-method=normal", "--skip-test-db"}, asRoot...)...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := standInServer{port: l.Addr().(*net.TCPAddr).Port, socket: filepath.Join(dir, "sock")}
	l.Close()
	// MySQL 8's defaults, which MariaDB does not share, first: the container's arguments must
	// turn on what seeding needs against them (a later option wins).
	args := []string{"--no-defaults", "--local-infile=0", "--log-bin=" + filepath.Join(dir, "binlog"), "--log-bin-trust-function-creators=0"}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--datadir=") {
			a = "--datadir=" + filepath.Join(dir, "db")
		}
		args = append(args, a)
	}
	args = append(args, "--socket="+srv.socket, "--pid-file="+filepath.Join(dir, "pid"), fmt.Sprintf("--port=%d", srv.port),
		"--bind-address=127.0.0.1", "--skip-name-resolve", "--log-error="+filepath.Join(dir, "log"), "--innodb-flush-log-at-trx-commit=0")
	server := exec.Command("mariadbd", append(args, asRoot...)...)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Process.Kill(); _ = server.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for srv.root("SELECT 1") != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("the stand-in server did not start with %q:\n%s", args, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	env := containerEnv(t, c, secrets, nil)
	user, password, database := lookupEnv(env, "MYSQL_USER"), lookupEnv(env, "MYSQL_PASSWORD"), lookupEnv(env, "MYSQL_DATABASE")
	// docker-library/mysql's and MariaDB's entrypoints: the database, and the user with all
	// rights on it only (an underscore in the grant's name is a wildcard there, hence escaped).
	grantOn := strings.ReplaceAll(database, "_", `\_`)
	if err := srv.root(fmt.Sprintf("CREATE DATABASE `%s`; CREATE USER '%s'@'%%' IDENTIFIED BY '%s'; GRANT ALL ON `%s`.* TO '%s'@'%%';",
		database, user, password, grantOn, user)); err != nil {
		t.Fatal(err)
	}
	return srv
}

func (s standInServer) root(sql string) error {
	out, err := exec.Command("mariadb", "--no-defaults", "--socket="+s.socket, "-uroot", "-e", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// containerEnv is a container's environment as the kubelet gives it: each variable in order, a
// secretKeyRef read from secrets (a missing one fails, unless optional), a value with its
// $(VAR) references to the variables before it expanded (k8s.io/kubernetes'
// third_party/forked/golang/expansion: $$ is a literal $, an undefined reference stays as
// written). network plays the cluster's DNS and Services: by variable name, the Service's host
// or port the Job must name there, and where the server listens here instead.
func containerEnv(t *testing.T, c corev1.Container, secrets map[string]map[string][]byte, network map[string]route) []string {
	t.Helper()
	vars := map[string]string{}
	var out []string
	for _, e := range c.Env {
		value := expandVars(e.Value, vars)
		if ref := e.ValueFrom; ref != nil {
			if ref.SecretKeyRef == nil {
				t.Fatalf("%s: only secretKeyRef is resolved here", e.Name)
			}
			v, ok := secrets[ref.SecretKeyRef.Name][ref.SecretKeyRef.Key]
			if !ok && (ref.SecretKeyRef.Optional == nil || !*ref.SecretKeyRef.Optional) {
				t.Fatalf("%s: Secret %s has no key %s", e.Name, ref.SecretKeyRef.Name, ref.SecretKeyRef.Key)
			}
			value = string(v)
		}
		if r, ok := network[e.Name]; ok {
			if value != r.service {
				t.Fatalf("%s is %q, but the Service is at %q", e.Name, value, r.service)
			}
			value = r.here
		}
		vars[e.Name] = value
		out = append(out, e.Name+"="+value)
	}
	return out
}

// route is a Service's host or port, and where the server behind it listens here.
type route struct{ service, here string }

func expandVars(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

// runContainer runs a container's command (or binary with its args, $(VAR)s expanded as the
// kubelet does) with env, its mount paths mapped to directories or files here.
func runContainer(t *testing.T, argv []string, env []string, mounts map[string]string) (string, error) {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var args []string
	for _, a := range argv {
		a = expandVars(a, vars)
		for from, to := range mounts {
			a = strings.Replace(a, from, to, 1)
		}
		args = append(args, a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
