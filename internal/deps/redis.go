package deps

import (
	"bufio"
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisProber reads a Redis or Valkey server's version with INFO server, and nothing else.
type redisProber struct{}

func (redisProber) version(ctx context.Context, src *url.URL) (Summary, error) {
	u := *src
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
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 10*time.Second, 10*time.Second, 10*time.Second
	opt.MaxRetries = 1
	c := redis.NewClient(opt)
	defer c.Close()
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return Summary{}, err
	}
	return parseRedisInfo(info)
}

func (redisProber) definitions(context.Context, *url.URL, *url.URL) (string, error) {
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
