// Package deps knows the backing services envmirror runs stand-ins for — Redis, Valkey,
// RabbitMQ, Elasticsearch, OpenSearch, MySQL and MariaDB: which official image runs a version
// and how it is set up (engines.go), how prod's references to managed services are found
// (detect.go), which rewrite rules point prod's hosts at a stand-in (rewrite.go), and the
// `manager probe` command that reads a prod service's version and definitions read-only
// (command.go and one file per engine).
//
// It builds no Kubernetes objects (internal/mirror does, from the Engine table here) and talks
// to no API server.
package deps

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Port is a named container port.
type Port struct {
	Name string
	Port int32
}

// Env is one environment variable of a stand-in: a literal Value, or the value of Key in the
// stand-in's credentials Secret.
type Env struct {
	Name, Value, Key string
}

// Engine is how the official image of one engine runs as a stand-in.
type Engine struct {
	Name v1alpha1.DependencyEngine
	// Repository is the official image; the tag is the version plus TagSuffix.
	Repository string
	TagSuffix  string
	// Port is the client port; Extra are others (RabbitMQ's management API).
	Port  Port
	Extra []Port
	// Scheme is the URI scheme clients use to reach the stand-in (no TLS: it lives inside the
	// copy's namespace, behind its isolation policy).
	Scheme string
	// UID and GID are the image's own non-root user: every stand-in runs under Pod Security
	// "restricted".
	UID, GID int64
	// DataPath is where the engine keeps data (a volume); empty for a cache that keeps none.
	DataPath string
	// ScratchDirs get an emptyDir each: what the image writes that must not live on the volume.
	ScratchDirs []string
	// User is the stand-in's user name; empty when the stand-in checks no credentials.
	User string
	// CPU and Memory are the container's requests.
	CPU, Memory string
	// Providers are the managed services this engine stands in for, for messages.
	Providers string
	// tlsSchemes maps the schemes prod's URLs use to the stand-in's; prodPorts are the ports prod's
	// managed service listens on, rewritten to the stand-in's (see RewriteRules).
	tlsSchemes map[string]string
	prodPorts  map[int]int32
	// env and args configure the image; database is the MySQL database, when there is one.
	env  func(database string) []Env
	args func(version string) []string
	// note is said of every stand-in of this engine (what it cannot do like prod).
	note string
	// fullTagsOnly: the image is published only under full X.Y.Z tags, so a shorter version
	// resolves through searchReleases (releases.go).
	fullTagsOnly bool
}

// Official images and their configuration. Every image here runs as its own non-root user, so
// every stand-in meets Pod Security "restricted"; none needs more. Elasticsearch and OpenSearch
// would want vm.max_map_count raised on the node in production mode; single-node discovery runs
// them in development mode, where that bootstrap check does not apply.
var engines = map[v1alpha1.DependencyEngine]*Engine{
	v1alpha1.EngineRedis: {
		Name: v1alpha1.EngineRedis, Repository: "redis", Port: Port{"redis", 6379}, Scheme: "redis",
		UID: 999, GID: 999, User: "default", CPU: "50m", Memory: "64Mi",
		Providers:  "ElastiCache, Azure Cache for Redis, Memorystore",
		tlsSchemes: map[string]string{"rediss": "redis", "redis": "redis"},
		prodPorts:  map[int]int32{6379: 6379, 6380: 6379},
		env:        func(string) []Env { return []Env{{Name: "REDIS_PASSWORD", Key: "password"}} },
		args:       func(string) []string { return cacheArgs("redis-server") },
	},
	v1alpha1.EngineValkey: {
		Name: v1alpha1.EngineValkey, Repository: "valkey/valkey", Port: Port{"redis", 6379}, Scheme: "redis",
		UID: 999, GID: 999, User: "default", CPU: "50m", Memory: "64Mi",
		Providers:  "ElastiCache for Valkey, Memorystore for Valkey",
		tlsSchemes: map[string]string{"rediss": "redis", "redis": "redis", "valkeys": "redis", "valkey": "redis"},
		prodPorts:  map[int]int32{6379: 6379, 6380: 6379},
		env:        func(string) []Env { return []Env{{Name: "REDIS_PASSWORD", Key: "password"}} },
		args:       func(string) []string { return cacheArgs("valkey-server") },
	},
	v1alpha1.EngineRabbitMQ: {
		// The management image: its HTTP API takes prod's definitions.
		Name: v1alpha1.EngineRabbitMQ, Repository: "rabbitmq", TagSuffix: "-management",
		Port: Port{"amqp", 5672}, Extra: []Port{{"management", 15672}}, Scheme: "amqp",
		UID: 999, GID: 999, DataPath: "/var/lib/rabbitmq", ScratchDirs: []string{rabbitHome}, User: "app", CPU: "100m", Memory: "256Mi",
		Providers:  "Amazon MQ for RabbitMQ, CloudAMQP",
		tlsSchemes: map[string]string{"amqps": "amqp", "amqp": "amqp"},
		prodPorts:  map[int]int32{5671: 5672, 5672: 5672},
		env: func(string) []Env {
			return []Env{{Name: "RABBITMQ_DEFAULT_USER", Value: "app"}, {Name: "RABBITMQ_DEFAULT_PASS", Key: "password"},
				{Name: "HOME", Value: rabbitHome}}
		},
	},
	v1alpha1.EngineElasticsearch: {
		Name: v1alpha1.EngineElasticsearch, Repository: "docker.elastic.co/elasticsearch/elasticsearch",
		Port: Port{"http", 9200}, Scheme: "http", UID: 1000, GID: 0, DataPath: "/usr/share/elasticsearch/data",
		User: "elastic", CPU: "250m", Memory: "1Gi",
		Providers:    "Elastic Cloud, Amazon OpenSearch Service (Elasticsearch domains)",
		fullTagsOnly: true,
		tlsSchemes:   map[string]string{"https": "http", "http": "http"},
		prodPorts:    map[int]int32{443: 9200, 9200: 9200, 9243: 9200},
		env: func(string) []Env {
			return []Env{
				{Name: "discovery.type", Value: "single-node"},
				{Name: "xpack.security.enabled", Value: "true"},
				{Name: "xpack.security.http.ssl.enabled", Value: "false"},
				{Name: "xpack.security.transport.ssl.enabled", Value: "false"},
				{Name: "ELASTIC_PASSWORD", Key: "password"},
				{Name: "ES_JAVA_OPTS", Value: "-Xms512m -Xmx512m"},
			}
		},
	},
	v1alpha1.EngineOpenSearch: {
		Name: v1alpha1.EngineOpenSearch, Repository: "opensearchproject/opensearch",
		Port: Port{"http", 9200}, Scheme: "http", UID: 1000, GID: 1000, DataPath: "/usr/share/opensearch/data",
		CPU: "250m", Memory: "1Gi", Providers: "Amazon OpenSearch Service", fullTagsOnly: true,
		tlsSchemes: map[string]string{"https": "http", "http": "http"},
		prodPorts:  map[int]int32{443: 9200, 9200: 9200},
		env: func(string) []Env {
			return []Env{
				{Name: "discovery.type", Value: "single-node"},
				{Name: "DISABLE_SECURITY_PLUGIN", Value: "true"},
				{Name: "DISABLE_INSTALL_DEMO_CONFIG", Value: "true"},
				{Name: "OPENSEARCH_JAVA_OPTS", Value: "-Xms512m -Xmx512m"},
			}
		},
		note: "OpenSearch's security plugin needs TLS certificates of its own, so the stand-in runs without it and checks no credentials",
	},
	v1alpha1.EngineMySQL: {
		Name: v1alpha1.EngineMySQL, Repository: "mysql", Port: Port{"mysql", 3306}, Scheme: "mysql",
		UID: 999, GID: 999, DataPath: "/var/lib/mysql", User: "app", CPU: "100m", Memory: "512Mi",
		Providers:  "Amazon RDS and Aurora MySQL, Azure Database for MySQL, Cloud SQL",
		tlsSchemes: map[string]string{"mysql": "mysql"},
		prodPorts:  map[int]int32{3306: 3306},
		env:        mysqlEnv,
		args:       mysqlArgs,
	},
	v1alpha1.EngineMariaDB: {
		Name: v1alpha1.EngineMariaDB, Repository: "mariadb", Port: Port{"mysql", 3306}, Scheme: "mysql",
		UID: 999, GID: 999, DataPath: "/var/lib/mysql", User: "app", CPU: "100m", Memory: "512Mi",
		Providers:  "Amazon RDS for MariaDB, Azure Database for MariaDB",
		tlsSchemes: map[string]string{"mysql": "mysql", "mariadb": "mysql"},
		prodPorts:  map[int]int32{3306: 3306},
		env:        mysqlEnv,
		args:       mysqlArgs,
	},
}

// rabbitHome is the RabbitMQ stand-in's $HOME, an emptyDir, where Erlang keeps its cookie. The
// image's HOME is its data directory, the volume, and Erlang refuses a cookie that its group
// may read: a volume's ownership given again to fsGroup on a remount (g+rw on every file) made
// the broker crash-loop. The cookie only pairs the broker with its own CLI tools in the same
// container, so a new one per pod costs nothing; the data (mnesia, under /var/lib/rabbitmq)
// stays on the volume.
const rabbitHome = "/var/lib/rabbitmq-home"

// cacheArgs start a Redis-protocol server that asks for the generated password and keeps no
// data: a cache stand-in starts empty, as a cache may.
func cacheArgs(server string) []string {
	return []string{server, "--requirepass", "$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no"}
}

// mysqlDataDir is where a MySQL or MariaDB stand-in keeps its data: a subdirectory of the
// volume (mounted at DataPath), as PostgreSQL's PGDATA is. The root of a freshly formatted
// volume holds lost+found, and MySQL 5.7's `mysqld --initialize` aborts on a data directory that
// holds anything ("--initialize specified but the data directory has files in it").
const mysqlDataDir = "/var/lib/mysql/data"

// mysqlArgs pass the data directory as mysqld's option. Both official images' entrypoints run
// mysqld (mariadbd) when the first argument is an option, read datadir from mysqld's own
// options (mysql_get_config 'datadir'), create it as their user and initialize it there; no
// subPath mount (a directory the kubelet would create, as root) is needed. The entrypoints pass
// the same options to the temporary server that runs their initialization.
//
// The stand-in's only known user is the app user (root's password is random), which may change
// no global setting, so the server starts with what seeding and prod's schema need:
//   - local_infile on: the seeder loads with LOAD DATA LOCAL INFILE, which MySQL 8 refuses by
//     default. It lets a client send its own files to the server (never the server's files to a
//     client), and no client of the copy does so unless it asks to.
//   - log_bin_trust_function_creators on: MySQL 8 logs binaries by default, and then only a
//     SUPER user may create triggers and stored functions (error 1419), which prod's schema
//     may have. --loose- keeps a server that lacks the option starting (a warning, not an error).
func mysqlArgs(string) []string {
	return []string{"--datadir=" + mysqlDataDir, "--local-infile=1", "--loose-log-bin-trust-function-creators=1"}
}

// mysqlEnv is understood by the official mysql and mariadb images alike.
func mysqlEnv(database string) []Env {
	return []Env{
		{Name: "MYSQL_USER", Value: "app"},
		{Name: "MYSQL_PASSWORD", Key: "password"},
		{Name: "MYSQL_DATABASE", Value: database},
		{Name: "MYSQL_RANDOM_ROOT_PASSWORD", Value: "yes"},
	}
}

// Lookup returns an engine's description.
func Lookup(name v1alpha1.DependencyEngine) (*Engine, bool) {
	e, ok := engines[name]
	return e, ok
}

// Engines lists the engines, in name order.
func Engines() []*Engine {
	out := make([]*Engine, 0, len(engines))
	for _, name := range []v1alpha1.DependencyEngine{
		v1alpha1.EngineElasticsearch, v1alpha1.EngineMariaDB, v1alpha1.EngineMySQL, v1alpha1.EngineOpenSearch,
		v1alpha1.EngineRabbitMQ, v1alpha1.EngineRedis, v1alpha1.EngineValkey,
	} {
		out = append(out, engines[name])
	}
	return out
}

// Env is the stand-in container's environment; database is the MySQL database to create.
func (e *Engine) Env(database string) []Env { return e.env(database) }

// Args are the stand-in container's arguments (nil: the image's own).
func (e *Engine) Args(version string) []string {
	if e.args == nil {
		return nil
	}
	return e.args(version)
}

// Layout names where the stand-in keeps its data on its volume; it changes when that moves
// (MySQL's data directory into a subdirectory), so that whatever was copied into a stand-in
// (prod's definitions) is copied again into the one that starts empty. Empty for engines whose
// layout never moved.
func (e *Engine) Layout() string {
	if e.Name == v1alpha1.EngineMySQL || e.Name == v1alpha1.EngineMariaDB {
		return "datadir=" + mysqlDataDir
	}
	return ""
}

// Ports are the client port and the others.
func (e *Engine) Ports() []Port { return append([]Port{e.Port}, e.Extra...) }

// DefaultDatabase is the database a MySQL stand-in creates when prod's is not known.
const DefaultDatabase = "app"

// Credentials are the keys of a stand-in's credentials Secret: host, port, username, password
// and uri, plus database (MySQL and MariaDB) and management-uri (RabbitMQ). host is the
// stand-in's Service name, which resolves inside the copy's namespace.
func (e *Engine) Credentials(host, version, password, database string) map[string][]byte {
	user, pass := e.User, password
	if user == "" {
		pass = "" // the stand-in checks no credentials: say so rather than hand out a dead password
	}
	port := strconv.Itoa(int(e.Port.Port))
	out := map[string][]byte{
		"host": []byte(host), "port": []byte(port), "username": []byte(user), "password": []byte(pass),
	}
	hostPort := host + ":" + port
	switch e.Name {
	case v1alpha1.EngineRedis, v1alpha1.EngineValkey:
		if major(version) > 0 && major(version) < 6 {
			user = "" // no ACLs before Redis 6: AUTH takes only the password
		}
		out["uri"] = []byte(uri(e.Scheme, user, pass, hostPort, ""))
	case v1alpha1.EngineMySQL, v1alpha1.EngineMariaDB:
		out["database"] = []byte(database)
		out["uri"] = []byte(uri(e.Scheme, user, pass, hostPort, "/"+database))
	case v1alpha1.EngineRabbitMQ:
		// No path: the default vhost "/" (an empty path would name the vhost "").
		out["uri"] = []byte(uri(e.Scheme, user, pass, hostPort, ""))
		out["management-uri"] = []byte(uri("http", user, pass, host+":"+strconv.Itoa(int(e.Extra[0].Port)), ""))
	default:
		out["uri"] = []byte(uri(e.Scheme, user, pass, hostPort, ""))
	}
	return out
}

func uri(scheme, user, pass, hostPort, path string) string {
	switch {
	case user == "" && pass == "":
		return scheme + "://" + hostPort + path
	case user == "":
		return scheme + "://:" + escape(pass) + "@" + hostPort + path
	}
	return scheme + "://" + escape(user) + ":" + escape(pass) + "@" + hostPort + path
}

// escape percent-encodes what a URL's userinfo may not hold. Generated passwords are
// alphanumeric, so in practice nothing changes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// Resolved is what a stand-in runs for prod's version.
type Resolved struct {
	Engine *Engine
	// ProdVersion is prod's version as the spec pins it or the probe read it.
	ProdVersion string
	// Version is the version the image runs: prod's, or the open-source release a managed
	// version is built on (ElastiCache 7.1 is Redis OSS 7.0). Empty with an image of the spec
	// whose tag is not a version.
	Version string
	// Image is the image reference.
	Image string
	// Note says why Version differs from ProdVersion, or what the stand-in does not do like prod.
	Note string
	// Mismatch is set when the stand-in runs another version than prod's (an image of the spec).
	Mismatch bool
}

// equivalents are managed versions with no open-source release of the same number, and the
// release they are compatible with.
var equivalents = map[v1alpha1.DependencyEngine]map[string]struct{ version, why string }{
	v1alpha1.EngineRedis: {
		"7.1": {"7.0", "ElastiCache 7.1 is compatible with Redis OSS 7.0 (there is no Redis OSS 7.1)"},
		"6.x": {"6.0", "ElastiCache 6.x is Redis OSS 6.0"},
	},
}

var leadingVersion = regexp.MustCompile(`^v?([0-9]+(\.[0-9]+){0,2})`)

// NormalizeVersion keeps the numeric part of a version as servers report it: "8.0.mysql_aurora.3.05.2"
// is "8.0", "10.11.6-MariaDB-log" is "10.11.6", "v2.13.0" is "2.13.0". It returns "" when s does
// not start with a number.
func NormalizeVersion(s string) string {
	s = strings.TrimSpace(s)
	if s == "6.x" {
		return s
	}
	m := leadingVersion.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// Resolve chooses the image a stand-in runs for prod's version: the engine's official image at
// that version, or at the open-source release a managed version is built on; image, when set,
// is the spec's own image and is used as given.
func Resolve(name v1alpha1.DependencyEngine, prodVersion, image string) (Resolved, error) {
	e, ok := engines[name]
	if !ok {
		return Resolved{}, fmt.Errorf("envmirror has no stand-in for engine %q", name)
	}
	prod := NormalizeVersion(prodVersion)
	if prod == "" && image == "" {
		return Resolved{}, fmt.Errorf("%q is not a version of %s", prodVersion, name)
	}
	r := Resolved{Engine: e, ProdVersion: prod, Version: prod, Note: e.note}
	if eq, ok := equivalentOf(name, prod); ok {
		r.Version, r.Note = eq.version, joinNotes(eq.why, e.note)
	}
	if image != "" {
		r.Image = image
		r.Version = NormalizeVersion(imageTag(image))
		if r.Version != "" && prod != "" && !sameVersion(r.Version, prod) && !sameVersion(r.Version, equivalentVersion(name, prod)) {
			r.Mismatch = true
			r.Note = joinNotes(fmt.Sprintf("spec.image %s runs %s %s, prod runs %s", image, name, r.Version, prod), e.note)
		} else if r.Version == "" {
			r.Note = joinNotes("spec.image "+image+" is used as given; its version is not checked", e.note)
		}
		return r, nil
	}
	if err := resolveFullTag(e, &r); err != nil {
		return Resolved{}, err
	}
	r.Image = e.Repository + ":" + r.Version + e.TagSuffix
	return r, nil
}

func equivalentOf(name v1alpha1.DependencyEngine, version string) (struct{ version, why string }, bool) {
	table := equivalents[name]
	if eq, ok := table[version]; ok {
		return eq, true
	}
	// A probed patch version of a managed release ("7.1.0") has the same equivalent.
	if mm := majorMinor(version); mm != version {
		if eq, ok := table[mm]; ok {
			return eq, true
		}
	}
	return struct{ version, why string }{}, false
}

func equivalentVersion(name v1alpha1.DependencyEngine, version string) string {
	if eq, ok := equivalentOf(name, version); ok {
		return eq.version
	}
	return version
}

// sameVersion: a is b, or one is a prefix release of the other ("7.0" and "7.0.15").
func sameVersion(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(b, a+".")
}

// SameVersion reports whether two versions name the same release at the precision both give.
func SameVersion(a, b string) bool { return sameVersion(NormalizeVersion(a), NormalizeVersion(b)) }

func imageTag(image string) string {
	ref := image
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref = ref[:at]
	}
	slash := strings.LastIndexByte(ref, '/')
	if colon := strings.LastIndexByte(ref, ':'); colon > slash {
		return ref[colon+1:]
	}
	return ""
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func major(v string) int {
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return n
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
