package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var listenAll = regexp.MustCompile(`(?m)^#?listen_addresses\s*=\s*\S+.*$`)

// The engines' test images: Debian's binaries laid out as the official images lay them out, with
// an entrypoint under test/images that honours the official image's documented contract. Each
// is named like the official image of the version Debian ships.

// postgresImage mirrors the official postgres image (Debian flavour): PostgreSQL 15 from Debian's
// postgresql-15 in /usr/lib/postgresql/15, the postgres user 999, PGDATA
// /var/lib/postgresql/data, /var/run/postgresql for sockets, docker-entrypoint.sh and
// /docker-entrypoint-initdb.d.
func postgresImage(o options) (image, error) {
	version, err := packageVersion("postgresql-15")
	if err != nil {
		return image{}, err
	}
	l := debianBase("postgres", "/var/lib/postgresql")
	// The packages' own files, without the LLVM JIT (llvmjit.so and its bitcode pull in ~160 MB
	// of LLVM; the server runs without JIT when the provider is absent) and without what other
	// packages (PostGIS, pgvector) installed into the same folders on this machine.
	l.packageFiles([]string{"postgresql-15", "postgresql-client-15"},
		[]string{"/usr/lib/postgresql/15", "/usr/share/postgresql/15"},
		func(p string) bool { return strings.Contains(p, "/llvmjit") || strings.Contains(p, "/bitcode/") })
	l.tree("/usr/share/zoneinfo")
	// As the official Dockerfile does: new clusters listen on every address.
	sample := "/usr/share/postgresql/15/postgresql.conf.sample"
	conf, err := os.ReadFile(sample)
	if err != nil {
		return image{}, err
	}
	l.content(sample, listenAll.ReplaceAll(conf, []byte("listen_addresses = '*'")), 0o644)
	l.dir("/var/lib/postgresql", 0o755, 999, 999).dir("/var/lib/postgresql/data", 0o1777, 999, 999)
	l.dir("/var/run/postgresql", 0o3777, 999, 999).dir("/docker-entrypoint-initdb.d", 0o755, 0, 0)
	l.busyboxApplets()
	script(l, o, "postgres/docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh")
	return image{layer: l, names: tags("postgres", version, ""), config: imageConfig{
		Env: []string{defaultPath + ":/usr/lib/postgresql/15/bin", "PG_MAJOR=15", "PG_VERSION=" + version,
			"PGDATA=/var/lib/postgresql/data", "LANG=C.UTF-8"},
		Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"postgres"}, StopSignal: "SIGINT",
		ExposedPorts: map[string]struct{}{"5432/tcp": {}},
	}}, nil
}

// redisImage mirrors the official redis image: redis-server and redis-cli from Debian's
// redis-server and redis-tools, the redis user 999, /data the working folder, docker-entrypoint.sh.
func redisImage(o options) (image, error) {
	version, err := packageVersion("redis-server")
	if err != nil {
		return image{}, err
	}
	l := debianBase("redis", "/data")
	l.file("/usr/bin/redis-server").file("/usr/bin/redis-cli")
	l.link("/usr/local/bin/redis-server", "/usr/bin/redis-server").link("/usr/local/bin/redis-cli", "/usr/bin/redis-cli")
	l.dir("/data", 0o755, 999, 999)
	l.busyboxApplets()
	script(l, o, "redis/docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh")
	return image{layer: l, names: tags("redis", version, ""), config: imageConfig{
		Env: []string{defaultPath}, Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"redis-server"},
		WorkingDir: "/data", ExposedPorts: map[string]struct{}{"6379/tcp": {}},
	}}, nil
}

// rabbitmqImage mirrors the official rabbitmq "-management" image: Debian's rabbitmq-server on
// Debian's Erlang, the rabbitmq user 999 with HOME and data in /var/lib/rabbitmq, the management
// plugin enabled, logs on the console, docker-entrypoint.sh.
func rabbitmqImage(o options) (image, error) {
	version, err := packageVersion("rabbitmq-server")
	if err != nil {
		return image{}, err
	}
	l := debianBase("rabbitmq", "/var/lib/rabbitmq")
	l.tree("/usr/lib/erlang").tree("/usr/lib/rabbitmq")
	for _, b := range []string{"erl", "erlc", "escript", "epmd"} {
		l.link("/usr/bin/"+b, "../lib/erlang/bin/"+b)
	}
	l.dir("/var/lib/rabbitmq", 0o777, 999, 999).dir("/etc/rabbitmq", 0o755, 999, 999).dir("/etc/rabbitmq/conf.d", 0o755, 999, 999)
	l.dir("/var/log/rabbitmq", 0o777, 999, 999)
	l.content("/etc/rabbitmq/enabled_plugins", []byte("[rabbitmq_management,rabbitmq_prometheus].\n"), 0o644)
	script(l, o, "rabbitmq/10-defaults.conf", "/etc/rabbitmq/conf.d/10-defaults.conf")
	l.entries["/etc/rabbitmq/conf.d/10-defaults.conf"].mode = 0o644
	l.busyboxApplets()
	script(l, o, "rabbitmq/docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh")
	return image{layer: l, names: tags("rabbitmq", version, "-management"), config: imageConfig{
		// Its scripts find each other by their own folder, which is on PATH (the official
		// image's /opt/rabbitmq/sbin).
		Env: []string{defaultPath + ":/usr/lib/rabbitmq/lib/rabbitmq_server-" + version + "/sbin", "RABBITMQ_DATA_DIR=/var/lib/rabbitmq", "HOME=/var/lib/rabbitmq", "LANG=C.UTF-8",
			"RABBITMQ_VERSION=" + version},
		Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"rabbitmq-server"},
		ExposedPorts: map[string]struct{}{"5672/tcp": {}, "15672/tcp": {}},
	}}, nil
}

// mariadbImage mirrors the official mariadb image: Debian's mariadb-server and client, the mysql
// user 999, /var/lib/mysql, /run/mysqld, docker-entrypoint.sh with the MARIADB_*/MYSQL_* variables.
func mariadbImage(o options) (image, error) {
	version, err := packageVersion("mariadb-server")
	if err != nil {
		return image{}, err
	}
	l := debianBase("mysql", "/var/lib/mysql")
	// mariadb-dump as in the official image (mariadb-client): the schema Job of a MySQL or
	// MariaDB database runs it against prod.
	for _, b := range []string{"mariadbd", "mariadb", "mariadb-dump", "mariadb-install-db", "mariadb-admin", "my_print_defaults", "resolveip"} {
		if p := "/usr/bin/" + b; exists(p) {
			l.file(p)
		} else if p := "/usr/sbin/" + b; exists(p) {
			l.file(p)
		}
	}
	l.tree("/usr/share/mysql").tree("/usr/lib/mysql/plugin")
	l.link("/usr/bin/mysql", "mariadb").link("/usr/bin/mysqldump", "mariadb-dump").link("/usr/sbin/mysqld", "mariadbd")
	l.dir("/var/lib/mysql", 0o777, 999, 999).dir("/run/mysqld", 0o777, 999, 999)
	l.dir("/etc/mysql", 0o755, 0, 0).dir("/docker-entrypoint-initdb.d", 0o755, 0, 0)
	script(l, o, "mariadb/my.cnf", "/etc/mysql/my.cnf")
	l.entries["/etc/mysql/my.cnf"].mode = 0o644
	l.busyboxApplets()
	script(l, o, "mariadb/docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh")
	return image{layer: l, names: tags("mariadb", version, ""), config: imageConfig{
		Env:        []string{defaultPath, "MARIADB_VERSION=" + version, "LANG=C.UTF-8"},
		Entrypoint: []string{"docker-entrypoint.sh"}, Cmd: []string{"mariadbd"},
		ExposedPorts: map[string]struct{}{"3306/tcp": {}},
	}}, nil
}

func exists(p string) bool {
	_, err := filepath.EvalSymlinks(p)
	return err == nil
}
