package deps

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// Shape is how a value names a service, which decides how the copy's value is made.
type Shape int

const (
	// ShapeEmbedded: the reference is part of a longer value (a properties file, say).
	ShapeEmbedded Shape = iota
	// ShapeURL: the whole value is a URL of the service.
	ShapeURL
	// ShapeHostPort: the whole value is host:port.
	ShapeHostPort
	// ShapeHost: the whole value is the host.
	ShapeHost
)

// Reference is a place in prod that names a backing service outside the cluster. It never holds
// a value of a Secret: only where it is, and the service's host, port and scheme.
type Reference struct {
	// Where names the place: "Service/cache (ExternalName …)", "ConfigMap/app key REDIS_URL",
	// "Deployment/api container app env REDIS_URL", "Secret/app-env key REDIS_URL".
	Where string
	// Secret and Key are set for a reference in a Secret.
	Secret, Key string
	// Service is the ExternalName Service, for a reference that is one.
	Service string
	Host    string
	// Port is 0 when the reference gives none.
	Port   int
	Scheme string
	// Engine is the stand-in engine that fits; empty when none does (Memcached, ActiveMQ, Azure
	// Service Bus) or it cannot be told.
	Engine v1alpha1.DependencyEngine
	// Postgres: a PostgreSQL database, whose stand-in is a spec.data entry.
	Postgres bool
	// Provider names the managed service ("ElastiCache"), when the host tells.
	Provider string
	Shape    Shape
}

// maxScan bounds the bytes of one value that are scanned.
const maxScan = 1 << 20

// Detect finds prod's references to backing services outside the cluster: ExternalName
// Services, and hosts of managed services or URLs of known engines in ConfigMaps, pod specs and
// Secrets. In a Secret, only a value that is wholly a host, a host:port or a URL counts, and of
// a URL only its host: nothing of a Secret value but the host ever leaves this function.
// Memorystore and Cloud SQL are reached by IP addresses, which cannot be told from any other
// address, so IP hosts are never reported.
func Detect(snap *source.Snapshot) []Reference {
	d := detector{namespace: snap.Namespace, seen: map[string]bool{}}
	for i := range snap.Services {
		d.service(&snap.Services[i])
	}
	for i := range snap.ConfigMaps {
		cm := &snap.ConfigMaps[i]
		for _, k := range sortedKeys(cm.Data) {
			d.value(Reference{Where: "ConfigMap/" + cm.Name + " key " + k}, cm.Data[k], false)
		}
	}
	for _, w := range snap.PodTemplates() {
		for _, c := range source.Containers(&w.Template.Spec) {
			where := w.Kind + "/" + w.Name + " container " + c.Name
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					d.value(Reference{Where: where + " env " + e.Name}, e.Value, false)
				}
			}
			for _, a := range append(append([]string{}, c.Command...), c.Args...) {
				d.value(Reference{Where: where + " args"}, a, false)
			}
		}
	}
	for i := range snap.Secrets {
		s := &snap.Secrets[i]
		if s.Type == corev1.SecretTypeTLS || s.Type == corev1.SecretTypeServiceAccountToken {
			continue
		}
		for _, k := range sortedKeys(s.Data) {
			d.value(Reference{Where: "Secret/" + s.Name + " key " + k, Secret: s.Name, Key: k}, string(s.Data[k]), true)
		}
	}
	return d.refs
}

type detector struct {
	namespace string
	refs      []Reference
	seen      map[string]bool
}

func (d *detector) add(r Reference) {
	k := r.Where + "|" + r.Host
	if d.seen[k] {
		return
	}
	d.seen[k] = true
	d.refs = append(d.refs, r)
}

// service reports an ExternalName Service whose host is a managed service, or whose port is an
// engine's (an ExternalName to any other external host is an API, not a backing service).
func (d *detector) service(svc *corev1.Service) {
	if svc.Spec.Type != corev1.ServiceTypeExternalName {
		return
	}
	host := normalizeHost(svc.Spec.ExternalName)
	if !d.external(host) {
		return
	}
	port := 0
	if len(svc.Spec.Ports) > 0 {
		port = int(svc.Spec.Ports[0].Port)
	}
	r := Reference{Where: fmt.Sprintf("Service/%s (ExternalName %s)", svc.Name, host), Service: svc.Name, Host: host, Port: port, Shape: ShapeHost}
	if !classify(&r) {
		if !byPort(&r) {
			return
		}
	}
	d.add(r)
}

// value scans one value. In a Secret (secret true) only whole-value hosts and URLs count.
func (d *detector) value(at Reference, v string, secret bool) {
	if len(v) > maxScan {
		v = v[:maxScan]
	}
	if !utf8.ValidString(v) && secret {
		return // binary data: keys, keystores
	}
	trimmed := strings.TrimSpace(v)
	urls := findURLs(v)
	for _, u := range urls {
		if !d.external(u.host) {
			continue
		}
		r := at
		r.Host, r.Port, r.Scheme, r.Shape = u.host, u.port, u.scheme, ShapeEmbedded
		if trimmed == v[u.start:u.end] {
			r.Shape = ShapeURL
		}
		if classify(&r) || byScheme(&r) {
			d.add(r)
		}
	}
	if secret {
		d.wholeHost(at, trimmed)
		return
	}
	for _, h := range findHosts(v, urls) {
		r := at
		r.Host, r.Port, r.Shape = h.host, h.port, ShapeEmbedded
		if trimmed == v[h.start:h.end] {
			r.Shape = ShapeHost
			if h.port > 0 {
				r.Shape = ShapeHostPort
			}
		}
		if d.external(r.Host) && classify(&r) {
			d.add(r)
		}
	}
}

// wholeHost reports a Secret value that is a managed host or host:port, and nothing else.
func (d *detector) wholeHost(at Reference, v string) {
	host, port := v, 0
	if c := strings.LastIndexByte(v, ':'); c > 0 {
		p, err := strconv.Atoi(v[c+1:])
		if err != nil || p <= 0 || p > 65535 {
			return
		}
		host, port = v[:c], p
	}
	host = normalizeHost(host)
	if !isHostName(host) || !d.external(host) {
		return
	}
	r := at
	r.Host, r.Port, r.Shape = host, port, ShapeHost
	if port > 0 {
		r.Shape = ShapeHostPort
	}
	if classify(&r) {
		d.add(r)
	}
}

// WholeValue reads a value that is wholly a URL, a host:port or a host (a cluster Service name
// included) and returns the host, lower-cased, and the shape; ok is false for any other value.
// Nothing of the value but its host leaves it, so it may read Secret values.
func WholeValue(v string) (host string, shape Shape, ok bool) {
	v = strings.TrimSpace(v)
	if urls := findURLs(v); len(urls) == 1 && urls[0].start == 0 && urls[0].end == len(v) {
		return urls[0].host, ShapeURL, true
	}
	host, shape = v, ShapeHost
	if c := strings.LastIndexByte(v, ':'); c > 0 {
		p, err := strconv.Atoi(v[c+1:])
		if err != nil || p <= 0 || p > 65535 {
			return "", 0, false
		}
		host, shape = v[:c], ShapeHostPort
	}
	host = normalizeHost(host)
	if !isHostName(host) || net.ParseIP(host) != nil || !strings.ContainsFunc(host, isLetterRune) {
		return "", 0, false
	}
	return host, shape, true
}

func isLetterRune(r rune) bool { return r < 128 && isLetter(byte(r)) }

// external reports whether a host is outside the cluster: a DNS name with a dot that is not a
// cluster Service name ("x.svc…", "x.<namespace>") or localhost. IP addresses are not reported.
func (d *detector) external(host string) bool {
	switch {
	case host == "" || !strings.Contains(host, ".") || net.ParseIP(host) != nil:
		return false
	case strings.HasSuffix(host, ".svc") || strings.Contains(host, ".svc.") || strings.HasSuffix(host, ".cluster.local"):
		return false
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return false
	}
	labels := strings.Split(host, ".")
	return !(len(labels) == 2 && d.namespace != "" && labels[1] == d.namespace)
}

// classify names the managed service a host belongs to and the engine that stands in for it.
// It reports whether the host is a managed backing service.
func classify(r *Reference) bool {
	h := r.Host
	aws := strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazonaws.com.cn")
	switch {
	case strings.Contains(h, ".cache.amazonaws.com"):
		r.Provider, r.Engine = "ElastiCache", v1alpha1.EngineRedis
		if r.Port == 11211 || r.Scheme == "memcached" {
			r.Provider, r.Engine = "ElastiCache for Memcached", ""
		} else if strings.HasPrefix(r.Scheme, "valkey") {
			r.Engine = v1alpha1.EngineValkey
		}
	case aws && strings.Contains(h, ".mq."):
		r.Provider, r.Engine = "Amazon MQ", v1alpha1.EngineRabbitMQ
		if activeMQPorts[r.Port] || activeMQSchemes[r.Scheme] {
			r.Provider, r.Engine = "Amazon MQ for ActiveMQ", ""
		}
	case strings.Contains(h, ".es.amazonaws.com") || (strings.HasSuffix(h, ".on.aws") && strings.Contains(h, ".aos.")):
		r.Provider, r.Engine = "Amazon OpenSearch Service", v1alpha1.EngineOpenSearch
	case strings.Contains(h, ".rds.amazonaws.com"):
		r.Provider = "Amazon RDS"
		byScheme(r)
		if r.Engine == "" && !r.Postgres {
			byPort(r)
		}
	case strings.HasSuffix(h, ".redis.cache.windows.net") || strings.HasSuffix(h, ".redisenterprise.cache.azure.net"):
		r.Provider, r.Engine = "Azure Cache for Redis", v1alpha1.EngineRedis
	case strings.HasSuffix(h, ".servicebus.windows.net"):
		r.Provider, r.Engine = "Azure Service Bus", "" // AMQP 1.0, not a RabbitMQ
	case strings.HasSuffix(h, ".mysql.database.azure.com"):
		r.Provider, r.Engine = "Azure Database for MySQL", v1alpha1.EngineMySQL
	case strings.HasSuffix(h, ".mariadb.database.azure.com"):
		r.Provider, r.Engine = "Azure Database for MariaDB", v1alpha1.EngineMariaDB
	case strings.HasSuffix(h, ".postgres.database.azure.com"):
		r.Provider, r.Postgres = "Azure Database for PostgreSQL", true
	default:
		return false
	}
	return true
}

var (
	activeMQPorts   = map[int]bool{61617: true, 61614: true, 61619: true, 8883: true, 8162: true}
	activeMQSchemes = map[string]bool{"ssl": true, "stomp+ssl": true, "mqtt+ssl": true, "wss": true, "failover": true}
)

// schemes are URL schemes that name an engine.
var schemes = map[string]v1alpha1.DependencyEngine{
	"redis": v1alpha1.EngineRedis, "rediss": v1alpha1.EngineRedis,
	"valkey": v1alpha1.EngineValkey, "valkeys": v1alpha1.EngineValkey,
	"amqp": v1alpha1.EngineRabbitMQ, "amqps": v1alpha1.EngineRabbitMQ,
	"mysql": v1alpha1.EngineMySQL, "mysqlx": v1alpha1.EngineMySQL, "mysql2": v1alpha1.EngineMySQL,
	"mariadb": v1alpha1.EngineMariaDB,
}

// byScheme sets the engine from a URL's scheme; it reports whether the scheme names one.
func byScheme(r *Reference) bool {
	if e, ok := schemes[r.Scheme]; ok {
		r.Engine = e
		return true
	}
	if r.Scheme == "postgres" || r.Scheme == "postgresql" {
		r.Postgres = true
		return true
	}
	return false
}

// byPort sets the engine from a well-known port; it reports whether the port names one.
func byPort(r *Reference) bool {
	switch r.Port {
	case 6379, 6380:
		r.Engine = v1alpha1.EngineRedis
	case 5671, 5672:
		r.Engine = v1alpha1.EngineRabbitMQ
	case 3306:
		r.Engine = v1alpha1.EngineMySQL
	case 9200:
		r.Engine = v1alpha1.EngineElasticsearch
	case 5432:
		r.Postgres = true
	default:
		return false
	}
	return true
}

// span is a host found in a value, at s[start:end].
type span struct {
	start, end   int
	scheme, host string
	port         int
}

// findURLs finds scheme://[userinfo@]host[:port] in s. A URL ends at whitespace, a quote or a
// separator; its host is what follows the last '@' of its authority, so a password never
// becomes a host. Where the authority ends before a host can be read (an unencoded '/' in a
// password), the URL yields no host at all.
func findURLs(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		p := strings.Index(s[i:], "://")
		if p < 0 {
			break
		}
		p += i
		st := p
		for st > 0 && isSchemeChar(s[st-1]) {
			st--
		}
		for st < p && !isLetter(s[st]) {
			st++ // a scheme starts with a letter
		}
		a := p + 3
		end := a
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		i = max(end, a)
		if st == p {
			continue
		}
		authority := s[a:end]
		if k := strings.IndexAny(authority, "/?#"); k >= 0 {
			authority = authority[:k]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		host, port := splitHostPort(authority)
		if !isHostName(host) {
			continue
		}
		out = append(out, span{start: st, end: end, scheme: strings.ToLower(s[st:p]), host: normalizeHost(host), port: port})
	}
	return out
}

// findHosts finds DNS names outside the URLs already found, with a port when one follows.
func findHosts(s string, urls []span) []span {
	var out []span
	next := 0 // index into urls
	for i := 0; i < len(s); {
		for next < len(urls) && urls[next].end <= i {
			next++
		}
		if next < len(urls) && i >= urls[next].start {
			i = urls[next].end
			continue
		}
		if !isHostChar(s[i]) || (i > 0 && (isHostChar(s[i-1]) || s[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(s) && (isHostChar(s[j]) || s[j] == '.') {
			j++
		}
		if next < len(urls) && j > urls[next].start {
			j = urls[next].start // never run into a URL
		}
		host := strings.TrimRight(s[i:j], ".-")
		end := i + len(host)
		port := 0
		if end < len(s) && s[end] == ':' {
			k := end + 1
			for k < len(s) && k-end <= 5 && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			if p, err := strconv.Atoi(s[end+1 : k]); err == nil && p > 0 && p <= 65535 {
				port, end = p, k
			}
		}
		if strings.Contains(host, ".") && isHostName(host) {
			out = append(out, span{start: i, end: end, host: normalizeHost(host), port: port})
		}
		i = max(j, i+1)
	}
	return out
}

func splitHostPort(hp string) (string, int) {
	if strings.HasPrefix(hp, "[") {
		return "", 0 // an IPv6 literal: IPs are not reported
	}
	c := strings.LastIndexByte(hp, ':')
	if c < 0 {
		return hp, 0
	}
	p, err := strconv.Atoi(hp[c+1:])
	if err != nil || p <= 0 || p > 65535 {
		return hp[:c], 0
	}
	return hp[:c], p
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// isHostName: letters, digits, '-', '_' and '.', at most 253 bytes, no empty label.
func isHostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !isHostChar(h[i]) && h[i] != '.' {
			return false
		}
	}
	return true
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'
}

func isURLEnd(c byte) bool {
	return c <= ' ' || strings.IndexByte("\"'<>,;(){}|\\^`", c) >= 0
}
