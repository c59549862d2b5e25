package deps

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	// The manager's image has no CA bundle of its own; prod's managed services present
	// certificates of public CAs.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

const usage = `usage: manager probe --engine=ENGINE [--definitions] [--summary-file=FILE]

Reads the version of prod's service at $` + EnvSourceURL + ` (read-only: Redis INFO server,
RabbitMQ GET /api/overview, Elasticsearch/OpenSearch GET /, MySQL SELECT VERSION(), PostgreSQL
server_version and pg_extension's names and versions). With
--definitions it also copies prod's structure, never its data, into the stand-in at
$` + EnvTargetURL + `: RabbitMQ definitions without users, permissions or parameters,
Elasticsearch/OpenSearch templates and index mappings, MySQL table and view definitions.
The summary (JSON, no credentials) goes to stdout and --summary-file.
`

// prober reads one engine's version and copies its definitions.
type prober interface {
	version(ctx context.Context, src endpoint) (Summary, error)
	// definitions copies prod's definitions into the stand-in and says what it copied.
	definitions(ctx context.Context, src, dst endpoint) (string, error)
}

// endpoint is a service the probe reaches: prod's, or the stand-in's.
type endpoint struct {
	*url.URL
	// raw is the URL or DSN as given: a PostgreSQL keyword DSN ("host=... user=...") is no URL,
	// and URL is nil then.
	raw string
	// roots are the CAs its certificate is checked against: nil for the system's (the manager
	// image's fallback bundle).
	roots *x509.CertPool
}

// probers by engine. Redis and Valkey have no definitions (the API refuses definitionsFromProd
// for them).
var probers = map[v1alpha1.DependencyEngine]prober{
	v1alpha1.EngineRedis:         redisProber{},
	v1alpha1.EngineValkey:        redisProber{},
	v1alpha1.EngineRabbitMQ:      rabbitProber{},
	v1alpha1.EngineElasticsearch: searchProber{},
	v1alpha1.EngineOpenSearch:    searchProber{},
	v1alpha1.EngineMySQL:         mysqlProber{},
	v1alpha1.EngineMariaDB:       mysqlProber{},
	EnginePostgres:               postgresProber{},
}

// Options are the parsed flags of the probe command.
type Options struct {
	Engine      v1alpha1.DependencyEngine
	Definitions bool
	SummaryFile string
	Timeout     time.Duration
	// CABundle is the PEM CA bundle prod's certificate may be signed with, trusted besides the
	// public CAs ($ENVMIRROR_PROBE_CA_BUNDLE).
	CABundle []byte
}

// Command runs `manager probe`. The summary is written even when the probe fails (with the
// error, its credentials removed), so the operator can say why.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	opts, err := parseFlags(args)
	if err != nil {
		return err
	}
	opts.CABundle = []byte(os.Getenv(EnvCABundle))
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	summary, err := Probe(ctx, opts, os.Getenv(EnvSourceURL), os.Getenv(EnvTargetURL))
	out := summary.Compact()
	fmt.Fprintf(stdout, "%s\n", out)
	if opts.SummaryFile != "" {
		if werr := os.WriteFile(opts.SummaryFile, out, 0o644); werr != nil && err == nil {
			err = fmt.Errorf("writing the summary to %s: %w", opts.SummaryFile, werr)
		}
	}
	return err
}

func parseFlags(args []string) (Options, error) {
	o := Options{}
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	engine := fs.String("engine", "", "redis, valkey, rabbitmq, elasticsearch, opensearch, mysql, mariadb or postgres")
	fs.BoolVar(&o.Definitions, "definitions", false, "also copy prod's definitions into the stand-in at $"+EnvTargetURL)
	fs.StringVar(&o.SummaryFile, "summary-file", "", "write the JSON summary here too (e.g. /dev/termination-log)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		var b strings.Builder
		b.WriteString(usage)
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return o, fmt.Errorf("%v\n%s", err, b.String())
	}
	o.Engine = v1alpha1.DependencyEngine(*engine)
	if _, ok := probers[o.Engine]; !ok {
		return o, fmt.Errorf("--engine %q: want one of redis, valkey, rabbitmq, elasticsearch, opensearch, mysql, mariadb, postgres", *engine)
	}
	return o, nil
}

// Probe reads prod's version (and with opts.Definitions copies its definitions) and returns the
// summary. Errors and the summary never contain the URLs' credentials.
func Probe(ctx context.Context, opts Options, sourceURL, targetURL string) (Summary, error) {
	s := Summary{Engine: string(opts.Engine)}
	fail := func(err error, urls ...string) (Summary, error) {
		err = errors.New(redact(err.Error(), urls...))
		s.Error = err.Error()
		return s, err
	}
	src, err := parseSource(opts.Engine, sourceURL)
	if err != nil {
		return fail(err)
	}
	if src.roots, err = rootsWith(opts.CABundle); err != nil {
		return fail(err)
	}
	p := probers[opts.Engine]
	var found Summary
	err = retryDial(ctx, func() (err error) { found, err = p.version(ctx, src); return err })
	if err != nil {
		return fail(fmt.Errorf("reading prod's version: %w", explainTLS(opts.Engine, err, src.roots != nil)), sourceURL)
	}
	s.Version, s.Distribution, s.Database, s.Extensions = found.Version, found.Distribution, found.Database, found.Extensions
	if !opts.Definitions {
		return s, nil
	}
	dstURL, err := parseURL(EnvTargetURL, targetURL)
	if err != nil {
		return fail(err, sourceURL)
	}
	err = retryDial(ctx, func() (err error) {
		s.Definitions, err = p.definitions(ctx, src, endpoint{URL: dstURL, raw: targetURL})
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("copying prod's definitions: %w", explainTLS(opts.Engine, err, src.roots != nil)), sourceURL, targetURL)
	}
	return s, nil
}

// parseSource reads prod's address: a URL, or for PostgreSQL a DSN in either of libpq's forms.
func parseSource(engine v1alpha1.DependencyEngine, raw string) (endpoint, error) {
	if engine == EnginePostgres && !strings.Contains(raw, "://") {
		if strings.TrimSpace(raw) == "" {
			return endpoint{}, fmt.Errorf("$%s is empty", EnvSourceURL)
		}
		return endpoint{raw: raw}, nil
	}
	u, err := parseURL(EnvSourceURL, raw)
	if err != nil {
		return endpoint{}, err
	}
	return endpoint{URL: u, raw: raw}, nil
}

// parseURL parses a URL from the environment without ever repeating it in an error: url.Parse
// quotes its input, credentials included.
func parseURL(env, raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("$%s is empty", env)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("$%s is not a URL of the form scheme://user:password@host:port/", env)
	}
	return u, nil
}

// redact removes every credential of the URLs from a message: the passwords (as written and
// escaped), the userinfo, and the URLs themselves.
func redact(msg string, urls ...string) string {
	for _, raw := range urls {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "://") {
			msg = redactKeywordDSN(msg, raw)
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return "(the message was withheld: it may hold a credential)"
		}
		msg = strings.ReplaceAll(msg, raw, u.Redacted())
		if u.User == nil {
			continue
		}
		secrets := []string{u.User.String()}
		if p, ok := u.User.Password(); ok && p != "" {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
		for _, s := range secrets {
			if s != "" {
				msg = strings.ReplaceAll(msg, s, "xxxxx")
			}
		}
	}
	return msg
}

// redactKeywordDSN removes a keyword DSN ("host=... password=...") and its password from a
// message.
func redactKeywordDSN(msg, dsn string) string {
	msg = strings.ReplaceAll(msg, dsn, "(the DSN)")
	for _, field := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			if v = strings.Trim(v, "'"); v != "" {
				msg = strings.ReplaceAll(msg, v, "xxxxx")
			}
		}
	}
	return msg
}

// userPassword returns a URL's user and password.
func userPassword(u *url.URL) (string, string) {
	if u.User == nil {
		return "", ""
	}
	p, _ := u.User.Password()
	return u.User.Username(), p
}
