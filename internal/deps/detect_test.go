package deps

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

const prodPassword = "CANARY-prod-password-3f9a"

func externalName(name, host string, port int32) corev1.Service {
	svc := corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: host}}
	if port > 0 {
		svc.Spec.Ports = []corev1.ServicePort{{Port: port}}
	}
	return svc
}

func shopSnapshot() *source.Snapshot {
	return &source.Snapshot{
		Namespace: "shop-prod",
		Services: []corev1.Service{
			externalName("cache", "my-cache.abc123.0001.use1.cache.amazonaws.com", 6379),
			externalName("payments", "api.payments.example.com", 443),        // an external API, not a backing service
			externalName("legacy-redis", "redis.internal.example.com", 6379), // not managed, but Redis's port
			externalName("inside", "redis.shop-prod.svc.cluster.local", 6379),
			{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}},
		},
		ConfigMaps: []corev1.ConfigMap{{ObjectMeta: metav1.ObjectMeta{Name: "app-config"}, Data: map[string]string{
			"AMQP_URL":     "amqps://b-1234-abcd.mq.us-east-1.amazonaws.com:5671",
			"SEARCH":       "https://search-shop-abc.us-east-1.es.amazonaws.com",
			"props":        "search.url=https://vpc-logs-xyz.aos.us-east-1.on.aws/logs\nredis=redis.shop-prod:6379\n",
			"LOCAL_REDIS":  "redis://redis:6379/0",
			"MEMORYSTORE":  "redis://10.0.0.12:6379",
			"MEMCACHED":    "sessions.abc123.cfg.use1.cache.amazonaws.com:11211",
			"ACTIVEMQ":     "ssl://b-9999.mq.us-east-1.amazonaws.com:61617",
			"AZURE_REDIS":  "prod.redis.cache.windows.net:6380,password=x,ssl=True",
			"SERVICE_BUS":  "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=k",
			"ORDERS_DB":    "orders.cluster-ro-c9x.us-east-1.rds.amazonaws.com",
			"AZURE_MYSQL":  "shop.mysql.database.azure.com:3306",
			"PG_URL":       "postgres://app@orders.c9x.eu-west-1.rds.amazonaws.com:5432/orders",
			"EXTERNAL_AMQ": "amqp://mq.partner.example.net/",
		}}},
		Deployments: []appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Name: "api"}, Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "app",
				Env: []corev1.EnvVar{
					{Name: "REDIS_HOST", Value: "my-cache.abc123.0001.use1.cache.amazonaws.com"},
					{Name: "FROM_SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{Key: "x"}}},
				},
				Args: []string{"--mysql=mysql://reader:pw@shop.cluster-c9x.us-east-1.rds.amazonaws.com:3306/shop"},
			}}}},
		}}},
		Secrets: []corev1.Secret{
			{ObjectMeta: metav1.ObjectMeta{Name: "app-env"}, Data: map[string][]byte{
				"REDIS_URL":   []byte("rediss://default:" + prodPassword + "@my-cache.abc123.0001.use1.cache.amazonaws.com:6379"),
				"MQ_HOST":     []byte("b-1234-abcd.mq.us-east-1.amazonaws.com:5671"),
				"DB_PASSWORD": []byte(prodPassword + " x.cache.amazonaws.com:6379"), // not wholly a host: not read
				"CONFIG_JSON": []byte(`{"cache":"my-cache.abc123.0001.use1.cache.amazonaws.com","password":"` + prodPassword + `"}`),
				"BINARY":      {0xff, 0xfe, 0x00},
			}},
			{ObjectMeta: metav1.ObjectMeta{Name: "tls"}, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x.cache.amazonaws.com")}},
		},
	}
}

func TestDetect(t *testing.T) {
	type found struct {
		Where, Host string
		Port        int
		Engine      v1alpha1.DependencyEngine
		Postgres    bool
		Provider    string
		Shape       Shape
	}
	var got []found
	for _, r := range Detect(shopSnapshot()) {
		got = append(got, found{r.Where, r.Host, r.Port, r.Engine, r.Postgres, r.Provider, r.Shape})
	}
	const (
		cache = "my-cache.abc123.0001.use1.cache.amazonaws.com"
		mq    = "b-1234-abcd.mq.us-east-1.amazonaws.com"
	)
	want := []found{
		{"Service/cache (ExternalName " + cache + ")", cache, 6379, v1alpha1.EngineRedis, false, "ElastiCache", ShapeHost},
		{"Service/legacy-redis (ExternalName redis.internal.example.com)", "redis.internal.example.com", 6379, v1alpha1.EngineRedis, false, "", ShapeHost},
		{"ConfigMap/app-config key ACTIVEMQ", "b-9999.mq.us-east-1.amazonaws.com", 61617, "", false, "Amazon MQ for ActiveMQ", ShapeURL},
		{"ConfigMap/app-config key AMQP_URL", mq, 5671, v1alpha1.EngineRabbitMQ, false, "Amazon MQ", ShapeURL},
		{"ConfigMap/app-config key AZURE_MYSQL", "shop.mysql.database.azure.com", 3306, v1alpha1.EngineMySQL, false, "Azure Database for MySQL", ShapeHostPort},
		{"ConfigMap/app-config key AZURE_REDIS", "prod.redis.cache.windows.net", 6380, v1alpha1.EngineRedis, false, "Azure Cache for Redis", ShapeEmbedded},
		{"ConfigMap/app-config key EXTERNAL_AMQ", "mq.partner.example.net", 0, v1alpha1.EngineRabbitMQ, false, "", ShapeURL},
		{"ConfigMap/app-config key MEMCACHED", "sessions.abc123.cfg.use1.cache.amazonaws.com", 11211, "", false, "ElastiCache for Memcached", ShapeHostPort},
		{"ConfigMap/app-config key ORDERS_DB", "orders.cluster-ro-c9x.us-east-1.rds.amazonaws.com", 0, "", false, "Amazon RDS", ShapeHost},
		{"ConfigMap/app-config key PG_URL", "orders.c9x.eu-west-1.rds.amazonaws.com", 5432, "", true, "Amazon RDS", ShapeURL},
		{"ConfigMap/app-config key SEARCH", "search-shop-abc.us-east-1.es.amazonaws.com", 0, v1alpha1.EngineOpenSearch, false, "Amazon OpenSearch Service", ShapeURL},
		{"ConfigMap/app-config key SERVICE_BUS", "shop.servicebus.windows.net", 0, "", false, "Azure Service Bus", ShapeEmbedded},
		{"ConfigMap/app-config key props", "vpc-logs-xyz.aos.us-east-1.on.aws", 0, v1alpha1.EngineOpenSearch, false, "Amazon OpenSearch Service", ShapeEmbedded},
		{"Deployment/api container app env REDIS_HOST", cache, 0, v1alpha1.EngineRedis, false, "ElastiCache", ShapeHost},
		{"Deployment/api container app args", "shop.cluster-c9x.us-east-1.rds.amazonaws.com", 3306, v1alpha1.EngineMySQL, false, "Amazon RDS", ShapeEmbedded},
		{"Secret/app-env key MQ_HOST", mq, 5671, v1alpha1.EngineRabbitMQ, false, "Amazon MQ", ShapeHostPort},
		{"Secret/app-env key REDIS_URL", cache, 6379, v1alpha1.EngineRedis, false, "ElastiCache", ShapeURL},
	}
	// A Secret counts only by whole host, host:port or URL: the JSON document in CONFIG_JSON and
	// the password with a host in it are not reported.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Detect (-want +got):\n%s", diff)
	}
}

// Nothing of a Secret value but a host leaves Detect, whatever the value looks like.
func TestDetectNeverReturnsSecretValues(t *testing.T) {
	for _, r := range Detect(shopSnapshot()) {
		s := fmt.Sprintf("%+v", r)
		if strings.Contains(s, prodPassword) {
			t.Errorf("a reference holds prod's password: %s", s)
		}
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		ref  Reference
		want string
	}{
		{Reference{Host: "c.cache.amazonaws.com", Engine: v1alpha1.EngineRedis},
			"spec.dependencies: {name: cache, engine: redis, versionFrom: {secretRef: {name: <Secret with a read-only URL of prod's redis>}}, replaces: [c.cache.amazonaws.com]}"},
		{Reference{Host: "o.rds.amazonaws.com", Postgres: true}, `spec.data: {name: cache, engine: postgres, standIn: {version: "<prod's version>"}}`},
		{Reference{Host: "s.servicebus.windows.net", Provider: "Azure Service Bus"}, "envmirror has no stand-in for Azure Service Bus"},
		{Reference{Host: "x.example.com"}, ""},
	} {
		if got := Suggest("cache", tc.ref); got != tc.want {
			t.Errorf("Suggest(%+v) = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestWholeValue(t *testing.T) {
	for _, tc := range []struct {
		in    string
		host  string
		shape Shape
		ok    bool
	}{
		{"rediss://default:" + prodPassword + "@cache:6379/0", "cache", ShapeURL, true},
		{" cache.shop-prod.svc.cluster.local:6379\n", "cache.shop-prod.svc.cluster.local", ShapeHostPort, true},
		{"My-Cache.example.com", "my-cache.example.com", ShapeHost, true},
		{prodPassword, "canary-prod-password-3f9a", ShapeHost, true}, // a word: only a host it would be matched with makes it one
		{"redis://a:6379,redis://b:6379", "", 0, false},
		{"10.0.0.1:6379", "", 0, false},
		{"a b", "", 0, false},
		{"host:99999", "", 0, false},
		{"12345", "", 0, false},
	} {
		host, shape, ok := WholeValue(tc.in)
		if host != tc.host || shape != tc.shape || ok != tc.ok {
			t.Errorf("WholeValue(%q) = %q %v %v", tc.in, host, shape, ok)
		}
	}
}
