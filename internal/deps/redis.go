package deps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisProber reads a Redis or Valkey server's version with INFO server, and nothing else; or,
// when the server refuses INFO, from HELLO's answer.
type redisProber struct{}

func (redisProber) version(ctx context.Context, src endpoint) (Summary, error) {
	u := *src.URL
	switch u.Scheme { // go-redis knows the Redis schemes; Valkey's are the same protocol
	case "valkey":
		u.Scheme = "redis"
	case "valkeys":
		u.Scheme = "rediss"
	}
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return Summary{}, err
	}
	opt.DisableIdentity = true // no CLIENT SETINFO: the probe only reads
	trustRoots(opt.TLSConfig, src.roots)
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 10*time.Second, 10*time.Second, 10*time.Second
	opt.MaxRetries = 1
	c := redis.NewClient(opt)
	defer c.Close()
	info, err := c.Info(ctx, "server").Result()
	var refused redis.Error
	if err != nil && errors.As(err, &refused) {
		// INFO is in @dangerous, which the users of managed Redis (ElastiCache RBAC, Redis
		// Cloud, Upstash) often lack, and some services rename or disable it. HELLO (RESP3)
		// is in @fast @connection, which every user may run, and names the server and its
		// version.
		conn := c.Conn()
		defer conn.Close()
		hello, herr := conn.Hello(ctx, 3, opt.Username, opt.Password, "").Result()
		if herr != nil {
			return Summary{}, fmt.Errorf("INFO server: %w; HELLO 3: %v", err, herr)
		}
		return parseRedisHello(hello)
	}
	if err != nil {
		return Summary{}, err
	}
	return parseRedisInfo(info)
}

// parseRedisHello reads HELLO 3's answer: "server" is redis or valkey, "version" its own.
func parseRedisHello(hello map[string]any) (Summary, error) {
	server, _ := hello["server"].(string)
	version, _ := hello["version"].(string)
	if version == "" {
		return Summary{}, errors.New("HELLO 3 answered no version")
	}
	if server == "" {
		server = "redis"
	}
	return Summary{Distribution: server, Version: version}, nil
}

func (redisProber) definitions(context.Context, endpoint, endpoint) (string, error) {
	return "", errors.New("Redis and Valkey keep no definitions to copy")
}

// parseRedisInfo reads the version from INFO server. Valkey reports the Redis version it is
// compatible with as redis_version and its own as valkey_version.
func parseRedisInfo(info string) (Summary, error) {
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok {
			fields[k] = v
		}
	}
	s := Summary{Distribution: "redis", Version: fields["redis_version"]}
	if v := fields["valkey_version"]; v != "" {
		s.Distribution, s.Version = "valkey", v
	} else if name := fields["server_name"]; name != "" {
		s.Distribution = name
	}
	if s.Version == "" {
		return Summary{}, errors.New("INFO server has no redis_version")
	}
	return s, nil
}
