package deps

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlProber reads MySQL and MariaDB: SELECT VERSION() for the version; the definitions of the
// URL's database (tables and views, from information_schema and SHOW CREATE) for the structure.
// No row is ever read.
type mysqlProber struct{}

// mysqlConfig turns mysql://user:password@host:port/database?tls=true into the driver's
// configuration. tls may be true, skip-verify, preferred or false (the driver's own values).
// With a CA bundle (roots), TLS is on and checked against it unless the URL says otherwise.
func mysqlConfig(u *url.URL, roots *x509.CertPool) (*mysql.Config, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = userPassword(u)
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Hostname() + ":3306"
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 10*time.Second, 60*time.Second, 60*time.Second
	switch t := u.Query().Get("tls"); {
	case (t == "" || t == "true") && roots != nil:
		cfg.TLS = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	case t == "" || t == "true" || t == "false" || t == "skip-verify" || t == "preferred":
		cfg.TLSConfig = t
	default:
		return nil, fmt.Errorf("tls=%s: want true, skip-verify, preferred or false", t)
	}
	return cfg, nil
}

func openMySQL(e endpoint) (*sql.DB, *mysql.Config, error) {
	cfg, err := mysqlConfig(e.URL, e.roots)
	if err != nil {
		return nil, nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, err
	}
	return sql.OpenDB(conn), cfg, nil
}

func (mysqlProber) version(ctx context.Context, src endpoint) (Summary, error) {
	db, cfg, err := openMySQL(src)
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return Summary{}, mysqlTLSHint(err, cfg.TLS != nil || cfg.TLSConfig != "" && cfg.TLSConfig != "false")
	}
	return Summary{Version: v, Distribution: mysqlDistribution(v), Database: cfg.DBName}, nil
}

// mysqlDistribution tells MariaDB and Aurora from MySQL by their version strings
// ("10.11.6-MariaDB-log", "8.0.mysql_aurora.3.05.2").
func mysqlDistribution(v string) string {
	l := strings.ToLower(v)
	switch {
	case strings.Contains(l, "mariadb"):
		return "mariadb"
	case strings.Contains(l, "aurora"):
		return "aurora-mysql"
	}
	return "mysql"
}

var (
	autoIncrement = regexp.MustCompile(` AUTO_INCREMENT=[0-9]+`)
	definer       = regexp.MustCompile(`DEFINER=(` + "`[^`]*`" + `|'[^']*'|[^ @]+)@(` + "`[^`]*`" + `|'[^']*'|[^ ]+) `)
)

// tableDefinition makes SHOW CREATE TABLE's statement re-runnable and free of prod's data: the
// next AUTO_INCREMENT value (how many rows prod made) is dropped.
func tableDefinition(create string) string {
	create = autoIncrement.ReplaceAllString(create, "")
	return strings.Replace(create, "CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1)
}

// viewDefinition drops prod's definer (a user the stand-in does not have).
func viewDefinition(create string) string {
	create = definer.ReplaceAllString(create, "")
	create = strings.Replace(create, " SQL SECURITY DEFINER", "", 1)
	return strings.Replace(create, "CREATE ", "CREATE OR REPLACE ", 1)
}

// mysqlObject is a table or view and its statement.
type mysqlObject struct{ name, kind, create string }

func (mysqlProber) definitions(ctx context.Context, src, dst endpoint) (string, error) {
	from, cfg, err := openMySQL(src)
	if err != nil {
		return "", err
	}
	defer from.Close()
	if cfg.DBName == "" {
		return "", errors.New("the prod URL names no database (mysql://user:password@host:3306/DATABASE)")
	}
	objects, err := readMySQLObjects(ctx, from, cfg.DBName)
	if err != nil {
		return "", err
	}
	to, _, err := openMySQL(dst)
	if err != nil {
		return "", err
	}
	defer to.Close()
	conn, err := to.Conn(ctx) // one session: foreign key checks are per session
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS=0"); err != nil {
		return "", err
	}
	tables, views := 0, 0
	var pending []mysqlObject
	for _, o := range objects {
		if o.kind != "VIEW" {
			if _, err := conn.ExecContext(ctx, o.create); err != nil {
				return "", fmt.Errorf("creating table %s: %w", o.name, err)
			}
			tables++
			continue
		}
		pending = append(pending, o)
	}
	// Views may select from views: create what can be created until nothing changes.
	for len(pending) > 0 {
		var failed []mysqlObject
		var last error
		for _, v := range pending {
			if _, err := conn.ExecContext(ctx, v.create); err != nil {
				failed, last = append(failed, v), fmt.Errorf("creating view %s: %w", v.name, err)
				continue
			}
			views++
		}
		if len(failed) == len(pending) {
			return "", last
		}
		pending = failed
	}
	return fmt.Sprintf("%d tables and %d views of database %s (no rows)", tables, views, cfg.DBName), nil
}

// readMySQLObjects reads the statements that create a database's tables and views.
func readMySQLObjects(ctx context.Context, db *sql.DB, database string) ([]mysqlObject, error) {
	rows, err := db.QueryContext(ctx,
		"SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", database)
	if err != nil {
		return nil, err
	}
	var objects []mysqlObject
	for rows.Next() {
		var o mysqlObject
		if err := rows.Scan(&o.name, &o.kind); err != nil {
			rows.Close()
			return nil, err
		}
		objects = append(objects, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range objects {
		o := &objects[i]
		quoted := "`" + strings.ReplaceAll(database, "`", "``") + "`.`" + strings.ReplaceAll(o.name, "`", "``") + "`"
		if o.kind == "VIEW" {
			var name, create, charset, collation string
			if err := db.QueryRowContext(ctx, "SHOW CREATE VIEW "+quoted).Scan(&name, &create, &charset, &collation); err != nil {
				return nil, fmt.Errorf("SHOW CREATE VIEW %s: %w", o.name, err)
			}
			o.create = viewDefinition(create)
			continue
		}
		var name, create string
		if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE "+quoted).Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("SHOW CREATE TABLE %s: %w", o.name, err)
		}
		o.create = tableDefinition(create)
	}
	return objects, nil
}
