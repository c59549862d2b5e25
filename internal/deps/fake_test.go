package deps

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// fakeAPI is an HTTP management API that answers fixed routes ("GET /api/overview") and records
// what was sent to each.
type fakeAPI struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies map[string]string
	calls  []string
}

func newFakeAPI(t *testing.T, routes map[string]string) *fakeAPI {
	f := &fakeAPI{bodies: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.Method + " " + r.URL.EscapedPath()
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies[route] = string(body)
		f.calls = append(f.calls, route)
		f.mu.Unlock()
		if _, _, ok := r.BasicAuth(); !ok {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		answer, ok := routes[route]
		if !ok {
			http.Error(w, `{"error":"no route `+route+`"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) url(user, pass string) string {
	u, _ := url.Parse(f.srv.URL)
	u.User = url.UserPassword(user, pass)
	return u.String()
}

func (f *fakeAPI) body(route string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[route]
}

func (f *fakeAPI) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
