package deps

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Managed Redis (ElastiCache with RBAC, Redis Cloud, Upstash) hands out users without
// @dangerous, which holds INFO: the probe then reads the version HELLO answers with (RESP3),
// which every user may run. Reproduced on the real Redis of hack/with-services.sh with such a
// user.
func TestProbeRedisWithoutDangerousCommands(t *testing.T) {
	admin := serverURL(t, "ENVMIRROR_TEST_REDIS_URL")
	opt, err := redis.ParseURL(admin)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	user := "probe-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	if err := c.Do(ctx, "ACL", "SETUSER", user, "on", ">restricted-pw", "~*", "&*", "+@all", "-@dangerous").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Do(context.Background(), "ACL", "DELUSER", user) })

	restricted, _ := url.Parse(admin)
	restricted.User = url.UserPassword(user, "restricted-pw")
	// The user really may not run INFO.
	rc := redis.NewClient(&redis.Options{Addr: opt.Addr, Username: user, Password: "restricted-pw"})
	defer rc.Close()
	if err := rc.Info(ctx, "server").Err(); err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Fatalf("INFO as a user without @dangerous: %v", err)
	}

	s := probe(t, v1alpha1.EngineRedis, false, restricted.String(), "")
	if want := os.Getenv("ENVMIRROR_TEST_REDIS_VERSION"); s.Version != want || s.Distribution != "redis" {
		t.Errorf("got %s %s, the server is redis %s", s.Distribution, s.Version, want)
	}
}

func TestParseRedisHello(t *testing.T) {
	for _, tc := range []struct {
		hello              map[string]any
		wantDist, wantVers string
	}{
		{map[string]any{"server": "redis", "version": "7.2.4", "proto": int64(3)}, "redis", "7.2.4"},
		{map[string]any{"server": "valkey", "version": "8.0.1"}, "valkey", "8.0.1"},
	} {
		s, err := parseRedisHello(tc.hello)
		if err != nil || s.Distribution != tc.wantDist || s.Version != tc.wantVers {
			t.Errorf("%v: %+v %v", tc.hello, s, err)
		}
	}
	if _, err := parseRedisHello(map[string]any{"server": "redis"}); err == nil {
		t.Error("no version, no error")
	}
}
