package metrics

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Scrape GETs a manager's /metrics with a bearer token (none when empty), the way Prometheus
// does, and returns the status and body. insecure skips verifying the server's certificate (the
// manager's self-signed one, when no --metrics-cert-dir is given).
func Scrape(url, token string, insecure bool) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}, //nolint:gosec // the caller's choice, for self-signed certificates
	}}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// SeriesValue finds one series in a scrape in the text exposition format, written as the
// format writes it (name{label="value",...}), and returns its value.
func SeriesValue(body, series string) (float64, error) {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no series %s in the scrape", series)
}
