package cli

import (
	"regexp"
	"strings"
	"testing"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestEnvironmentName(t *testing.T) {
	long := strings.Repeat("very-long-branch-name/", 10)[:200]
	for _, tc := range []struct {
		branch string
		want   string // exact, or a prefix when wantHash
		hashed bool
	}{
		{branch: "main", want: "main"},
		{branch: "fix-42", want: "fix-42"},
		{branch: "feature/x", want: "feature-x-", hashed: true},
		{branch: "feature/Checkout_Fix", want: "feature-checkout-fix-", hashed: true},
		{branch: "Main", want: "main-", hashed: true},
		{branch: "release/1.2.3", want: "release-1-2-3-", hashed: true},
		{branch: "fëature/überfix", want: "feature-uberfix-", hashed: true},
		{branch: "修复/登录", want: "branch-", hashed: true},
		{branch: "--odd--//--", want: "odd-", hashed: true},
		{branch: "a//b", want: "a-b-", hashed: true},
		{branch: long, want: "very-long-branch-name-very-long-", hashed: true},
		{branch: strings.Repeat("a", MaxNameLength), want: strings.Repeat("a", MaxNameLength)},
		{branch: strings.Repeat("a", MaxNameLength+1), want: strings.Repeat("a", MaxNameLength-hashLength-1) + "-", hashed: true},
	} {
		got := EnvironmentName(tc.branch)
		if !dnsLabel.MatchString(got) || len(got) > MaxNameLength {
			t.Errorf("EnvironmentName(%q) = %q: not a DNS label of at most %d characters", tc.branch, got, MaxNameLength)
		}
		if tc.hashed {
			if !strings.HasPrefix(got, tc.want) || len(got) != len(tc.want)+hashLength {
				t.Errorf("EnvironmentName(%q) = %q, want %q followed by %d hex digits", tc.branch, got, tc.want, hashLength)
			}
		} else if got != tc.want {
			t.Errorf("EnvironmentName(%q) = %q, want %q", tc.branch, got, tc.want)
		}
		if again := EnvironmentName(tc.branch); again != got {
			t.Errorf("EnvironmentName(%q) is not stable: %q then %q", tc.branch, got, again)
		}
	}
}

// Branches whose slugs are equal must still get different names.
func TestEnvironmentNameCollisions(t *testing.T) {
	groups := [][]string{
		{"feature/x", "feature-x", "Feature/X", "feature_x", "feature.x", "feature//x", "FEATURE-X"},
		{"fix/été", "fix/ete", "fix-ete"},
		{strings.Repeat("x", 199) + "1", strings.Repeat("x", 199) + "2"},
		{"修复/登录", "修复/注册", "日本語"},
	}
	for _, branches := range groups {
		seen := map[string]string{}
		for _, b := range branches {
			name := EnvironmentName(b)
			if other, dup := seen[name]; dup {
				t.Errorf("branches %q and %q both get the name %q", other, b, name)
			}
			seen[name] = b
		}
	}
}

func FuzzEnvironmentName(f *testing.F) {
	for _, s := range []string{"main", "feature/x", "fëature/ü", "修复", strings.Repeat("ab/", 80), "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, branch string) {
		name := EnvironmentName(branch)
		if !dnsLabel.MatchString(name) || len(name) > MaxNameLength {
			t.Fatalf("EnvironmentName(%q) = %q: not a DNS label of at most %d characters", branch, name, MaxNameLength)
		}
		if name != branch && EnvironmentName(name) != name {
			t.Fatalf("a derived name is not its own name: %q -> %q -> %q", branch, name, EnvironmentName(name))
		}
	})
}
