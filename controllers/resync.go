package controllers

import (
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// resyncIn is how long until an environment's next periodic re-read of prod. Each environment
// has a phase in the interval, taken from its uid, and resyncs when the clock passes it: a
// thousand environments created together, or all reconciled at once when the operator
// restarts, spread their resyncs evenly over the interval instead of resyncing together every
// interval (a resync storm). The result is in (0, interval].
func resyncIn(uid types.UID, now time.Time, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(uid))
	phase := time.Duration(h.Sum64() % uint64(interval))
	since := (time.Duration(now.UnixNano()) - phase) % interval
	if since < 0 {
		since += interval
	}
	return interval - since
}

// writtenVersions remembers, per environment, the resourceVersion of the operator's last write
// to it, so that a reconcile can tell that the cache has not seen that write yet: a status
// computed from the older version would be refused (optimistic lock) after all the reads and
// the work of a reconcile, and cost a refused PATCH.
type writtenVersions struct{ m sync.Map }

type written struct {
	rv string
	at time.Time
}

// cacheLagLimit bounds how long a write is waited for: a cache is behind by milliseconds, and
// a version that never arrives (an etcd restored from a backup counts lower) must not stop
// the environment's reconciles for good.
const cacheLagLimit = 10 * time.Second

func (w *writtenVersions) wrote(k types.NamespacedName, rv string, at time.Time) {
	w.m.Store(k, written{rv: rv, at: at})
}
func (w *writtenVersions) forget(k types.NamespacedName) { w.m.Delete(k) }

// behind reports whether rv, as read from the cache at now, is older than the last version
// written. resourceVersions are opaque to clients in general; the API server's are etcd
// revisions, which grow, and anything that does not parse as one is never called behind.
func (w *writtenVersions) behind(k types.NamespacedName, rv string, now time.Time) bool {
	v, ok := w.m.Load(k)
	if !ok {
		return false
	}
	last := v.(written)
	if now.Sub(last.at) > cacheLagLimit {
		return false
	}
	wrote, err1 := strconv.ParseUint(last.rv, 10, 64)
	read, err2 := strconv.ParseUint(rv, 10, 64)
	return err1 == nil && err2 == nil && read < wrote
}
