package deps

import (
	"strconv"
	"strings"
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
)

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name          string
		engine        v1alpha1.DependencyEngine
		prod, image   string
		wantImage     string
		wantVersion   string
		wantNote      string
		wantMismatch  bool
		wantErrSubstr string
	}{
		{name: "ElastiCache 7.1 runs the Redis OSS release it is built on", engine: v1alpha1.EngineRedis, prod: "7.1",
			wantImage: "redis:7.0", wantVersion: "7.0", wantNote: "ElastiCache 7.1 is compatible with Redis OSS 7.0"},
		{name: "a probed ElastiCache 7.1 patch too", engine: v1alpha1.EngineRedis, prod: "7.1.0",
			wantImage: "redis:7.0", wantVersion: "7.0", wantNote: "Redis OSS 7.0"},
		{name: "ElastiCache 6.x", engine: v1alpha1.EngineRedis, prod: "6.x", wantImage: "redis:6.0", wantVersion: "6.0"},
		{name: "an exact Redis version", engine: v1alpha1.EngineRedis, prod: "7.0.15", wantImage: "redis:7.0.15", wantVersion: "7.0.15"},
		{name: "Valkey", engine: v1alpha1.EngineValkey, prod: "8.0.1", wantImage: "valkey/valkey:8.0.1", wantVersion: "8.0.1"},
		{name: "Amazon MQ RabbitMQ 3.13, with the management API", engine: v1alpha1.EngineRabbitMQ, prod: "3.13",
			wantImage: "rabbitmq:3.13-management", wantVersion: "3.13"},
		{name: "OpenSearch", engine: v1alpha1.EngineOpenSearch, prod: "2.13.0",
			wantImage: "opensearchproject/opensearch:2.13.0", wantVersion: "2.13.0", wantNote: "security plugin"},
		{name: "Elasticsearch", engine: v1alpha1.EngineElasticsearch, prod: "7.10.2",
			wantImage: "docker.elastic.co/elasticsearch/elasticsearch:7.10.2", wantVersion: "7.10.2"},
		{name: "Aurora MySQL reports its own version after MySQL's", engine: v1alpha1.EngineMySQL, prod: "8.0.mysql_aurora.3.05.2",
			wantImage: "mysql:8.0", wantVersion: "8.0"},
		{name: "MariaDB's version string", engine: v1alpha1.EngineMariaDB, prod: "10.11.6-MariaDB-log",
			wantImage: "mariadb:10.11.6", wantVersion: "10.11.6"},
		{name: "an image of the spec at prod's version", engine: v1alpha1.EngineRedis, prod: "7.2", image: "registry.example/redis:7.2.4@sha256:0123456789abcdef0123456789abcdef",
			wantImage: "registry.example/redis:7.2.4@sha256:0123456789abcdef0123456789abcdef", wantVersion: "7.2.4"},
		{name: "an image of the spec at another version is a mismatch", engine: v1alpha1.EngineRedis, prod: "7.2", image: "redis:6.2",
			wantImage: "redis:6.2", wantVersion: "6.2", wantMismatch: true, wantNote: "runs redis 6.2, prod runs 7.2"},
		{name: "an image of the spec for ElastiCache 7.1 at 7.0 is no mismatch", engine: v1alpha1.EngineRedis, prod: "7.1", image: "redis:7.0.15",
			wantImage: "redis:7.0.15", wantVersion: "7.0.15"},
		{name: "an image of the spec without a version tag", engine: v1alpha1.EngineRedis, prod: "7.2", image: "registry.example/cache:latest",
			wantImage: "registry.example/cache:latest", wantVersion: "", wantNote: "used as given"},
		{name: "not a version", engine: v1alpha1.EngineRedis, prod: "latest", wantErrSubstr: "not a version"},
		{name: "not an engine", engine: "memcached", prod: "1.6", wantErrSubstr: "no stand-in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Resolve(tc.engine, tc.prod, tc.image)
			if tc.wantErrSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErrSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Image != tc.wantImage || r.Version != tc.wantVersion || r.Mismatch != tc.wantMismatch {
				t.Errorf("got image %q version %q mismatch %v, want %q %q %v", r.Image, r.Version, r.Mismatch, tc.wantImage, tc.wantVersion, tc.wantMismatch)
			}
			if !strings.Contains(r.Note, tc.wantNote) {
				t.Errorf("note %q does not say %q", r.Note, tc.wantNote)
			}
			if r.ProdVersion != NormalizeVersion(tc.prod) {
				t.Errorf("prod version %q", r.ProdVersion)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		engine           v1alpha1.DependencyEngine
		version, db      string
		wantURI          string
		wantUser, wantPw string
		extra            map[string]string
	}{
		{engine: v1alpha1.EngineRedis, version: "7.0", wantURI: "redis://default:pw@cache:6379", wantUser: "default", wantPw: "pw"},
		{engine: v1alpha1.EngineRedis, version: "5.0.6", wantURI: "redis://:pw@cache:6379", wantUser: "default", wantPw: "pw"},
		{engine: v1alpha1.EngineRabbitMQ, version: "3.13", wantURI: "amqp://app:pw@cache:5672", wantUser: "app", wantPw: "pw",
			extra: map[string]string{"management-uri": "http://app:pw@cache:15672"}},
		{engine: v1alpha1.EngineMySQL, version: "8.0", db: "shop", wantURI: "mysql://app:pw@cache:3306/shop", wantUser: "app", wantPw: "pw",
			extra: map[string]string{"database": "shop"}},
		{engine: v1alpha1.EngineElasticsearch, version: "8.15.0", wantURI: "http://elastic:pw@cache:9200", wantUser: "elastic", wantPw: "pw"},
		{engine: v1alpha1.EngineOpenSearch, version: "2.13.0", wantURI: "http://cache:9200", wantUser: "", wantPw: ""},
	} {
		t.Run(string(tc.engine)+" "+tc.version, func(t *testing.T) {
			e, _ := Lookup(tc.engine)
			c := e.Credentials("cache", tc.version, "pw", tc.db)
			if string(c["uri"]) != tc.wantURI || string(c["username"]) != tc.wantUser || string(c["password"]) != tc.wantPw {
				t.Errorf("uri %q user %q password %q", c["uri"], c["username"], c["password"])
			}
			if string(c["host"]) != "cache" || string(c["port"]) != strconv.Itoa(int(e.Port.Port)) {
				t.Errorf("host %q port %q", c["host"], c["port"])
			}
			for k, v := range tc.extra {
				if string(c[k]) != v {
					t.Errorf("%s = %q, want %q", k, c[k], v)
				}
			}
		})
	}
}

func TestEveryEngineRunsRestricted(t *testing.T) {
	for _, e := range Engines() {
		if e.UID == 0 {
			t.Errorf("%s runs as root", e.Name)
		}
		if e.Repository == "" || e.Port.Port == 0 || e.Scheme == "" || e.CPU == "" || e.Memory == "" {
			t.Errorf("%s is incomplete: %+v", e.Name, e)
		}
	}
	if len(Engines()) != 7 {
		t.Errorf("%d engines, the API has 7", len(Engines()))
	}
}

func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{
		"7.0.15": "7.0.15", "v2.13.0": "2.13.0", "8.0.mysql_aurora.3.05.2": "8.0",
		"10.11.6-MariaDB-log": "10.11.6", "3.13.7": "3.13.7", "latest": "", "": "", "6.x": "6.x", " 7.1 ": "7.1",
	} {
		if got := NormalizeVersion(in); got != want {
			t.Errorf("NormalizeVersion(%q) = %q, want %q", in, got, want)
		}
	}
	if !SameVersion("7.0", "7.0.15") || SameVersion("7.0", "7.01") || SameVersion("7.1", "7.0") {
		t.Error("SameVersion")
	}
}

// The rules send a managed service's URLs and host to the stand-in, TLS schemes and ports
// included, through the same Rewriter that rewrites prod's configuration.
func TestRewriteRules(t *testing.T) {
	for _, tc := range []struct {
		engine   v1alpha1.DependencyEngine
		host, in string
		want     string
	}{
		{v1alpha1.EngineRedis, "my-cache.abc123.use1.cache.amazonaws.com",
			"rediss://my-cache.abc123.use1.cache.amazonaws.com:6379/0", "redis://cache:6379/0"},
		{v1alpha1.EngineRedis, "my-cache.abc123.use1.cache.amazonaws.com",
			"REDIS_HOST=my-cache.abc123.use1.cache.amazonaws.com", "REDIS_HOST=cache"},
		{v1alpha1.EngineRedis, "prod.redis.cache.windows.net",
			"prod.redis.cache.windows.net:6380,ssl=True", "cache:6379,ssl=True"},
		{v1alpha1.EngineRabbitMQ, "b-1234.mq.us-east-1.amazonaws.com",
			"amqps://b-1234.mq.us-east-1.amazonaws.com:5671/orders", "amqp://cache:5672/orders"},
		{v1alpha1.EngineRabbitMQ, "b-1234.mq.us-east-1.amazonaws.com",
			"amqps://b-1234.mq.us-east-1.amazonaws.com", "amqp://cache:5672"},
		{v1alpha1.EngineOpenSearch, "search-shop-x.us-east-1.es.amazonaws.com",
			"https://search-shop-x.us-east-1.es.amazonaws.com/products/_search", "http://cache:9200/products/_search"},
		{v1alpha1.EngineMySQL, "shop.cluster-c9.us-east-1.rds.amazonaws.com",
			"jdbc:mysql://shop.cluster-c9.us-east-1.rds.amazonaws.com:3306/shop?useSSL=true", "jdbc:mysql://cache:3306/shop?useSSL=true"},
	} {
		e, _ := Lookup(tc.engine)
		rw := scrub.NewRewriter("", "", e.RewriteRules(tc.host, "cache"))
		if got := rw.Rewrite(tc.in); got != tc.want {
			t.Errorf("%s: Rewrite(%q) = %q, want %q", tc.engine, tc.in, got, tc.want)
		}
	}
}

// MySQL's data directory moved into a subdirectory of the volume: its layout says so, and the
// other engines' (which never moved) stay empty, so their definitions are not copied again.
func TestEngineLayout(t *testing.T) {
	for _, e := range Engines() {
		want := ""
		if e.Name == v1alpha1.EngineMySQL || e.Name == v1alpha1.EngineMariaDB {
			want = "datadir=/var/lib/mysql/data"
		}
		if got := e.Layout(); got != want {
			t.Errorf("%s: layout %q, want %q", e.Name, got, want)
		}
	}
}
