package controllers

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// TestResyncsSpreadOverTheInterval: environments reconciled at the same moment (created
// together, or at an operator's start) resync at times spread over the whole interval, each at
// the same phase every interval.
func TestResyncsSpreadOverTheInterval(t *testing.T) {
	const n, interval = 1000, 10 * time.Minute
	now := time.Unix(1_800_000_000, 0)
	buckets := make([]int, 10) // one per minute of the interval
	for i := range n {
		uid := types.UID(fmt.Sprintf("uid-%d", i))
		d := resyncIn(uid, now, interval)
		if d <= 0 || d > interval {
			t.Fatalf("resyncIn = %s, outside (0, %s]", d, interval)
		}
		buckets[int(d/time.Minute)%10]++
		// The next resync, reconciled then, is one interval later: the phase holds.
		if next := resyncIn(uid, now.Add(d), interval); next != interval {
			t.Fatalf("after resyncing at its phase, the next resync is in %s, want %s", next, interval)
		}
		// A reconcile woken by an event in between does not move the phase.
		if later := resyncIn(uid, now.Add(d/2), interval); later != d-d/2 {
			t.Fatalf("woken halfway, the resync is in %s, want %s", later, d-d/2)
		}
	}
	for i, b := range buckets {
		// Uniform is 100 a minute; a storm would put them all in one.
		if b < 60 || b > 140 {
			t.Errorf("minute %d of the interval has %d of %d resyncs: %v", i, b, n, buckets)
		}
	}
}

func TestWrittenVersionsBehind(t *testing.T) {
	var w writtenVersions
	k := types.NamespacedName{Namespace: "dev", Name: "x"}
	now := time.Unix(1_800_000_000, 0)
	if w.behind(k, "5", now) {
		t.Error("nothing written: never behind")
	}
	w.wrote(k, "10", now)
	for rv, want := range map[string]bool{"9": true, "10": false, "11": false, "opaque": false} {
		if got := w.behind(k, rv, now.Add(time.Second)); got != want {
			t.Errorf("behind(%q) = %v, want %v", rv, got, want)
		}
	}
	if w.behind(k, "9", now.Add(cacheLagLimit+time.Second)) {
		t.Error("a write the cache never shows is not waited for forever")
	}
	w.forget(k)
	if w.behind(k, "9", now) {
		t.Error("forgotten")
	}
}
