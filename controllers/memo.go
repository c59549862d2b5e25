package controllers

import (
	"crypto/sha256"
	"encoding/json"
	"maps"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/internal/scrub"
)

// scrubMemo remembers scrubbed ConfigMaps. Scrubbing a ConfigMap is a pure function of its
// content and of the scrubbing inputs (scrubInputs: namespaces, every rewrite rule — the
// spec's and the stand-ins' —, keyring, keepPlain, mode), and by far the most expensive part of
// a plan (parsing every file, sometimes twice), while a reconcile woken by a copy's status or a
// prod rollout finds the same ConfigMaps as the last one. The memo is keyed by a hash of all
// those inputs, so a hit gives exactly what scrubbing would; it is bounded by the bytes it
// holds and forgets its oldest entries first.
type scrubMemo struct {
	mu      sync.Mutex
	entries map[[32]byte]scrubbedConfigMap
	order   [][32]byte
	bytes   int
	limit   int
}

type scrubbedConfigMap struct {
	data   map[string]string
	binary map[string][]byte
	report scrub.PlainReport
	size   int
}

// scrubMemoLimit bounds what the memo holds: scrubbed ConfigMaps are at most 1 MiB each, and
// a few dozen environments' worth of configuration fits.
const scrubMemoLimit = 64 << 20

func newScrubMemo() *scrubMemo {
	return &scrubMemo{entries: map[[32]byte]scrubbedConfigMap{}, limit: scrubMemoLimit}
}

// configMap scrubs cm with inputs, or returns the remembered result for the same inputs.
func (m *scrubMemo) configMap(inputs scrubInputs, cm *corev1.ConfigMap) (map[string]string, map[string][]byte, scrub.PlainReport) {
	in := inputs.plainInput()
	if m == nil {
		return scrub.ConfigMap(cm.Name, cm.Data, cm.BinaryData, in)
	}
	k := memoKey(inputs, cm)
	m.mu.Lock()
	e, ok := m.entries[k]
	m.mu.Unlock()
	if ok {
		// Copies: the plan's objects are the callers' to change.
		return maps.Clone(e.data), maps.Clone(e.binary), e.report
	}
	data, binary, rep := scrub.ConfigMap(cm.Name, cm.Data, cm.BinaryData, in)
	e = scrubbedConfigMap{data: data, binary: binary, report: rep, size: sizeOf(data, binary)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; !ok && e.size < m.limit {
		m.entries[k] = e
		m.order = append(m.order, k)
		m.bytes += e.size
		for m.bytes > m.limit && len(m.order) > 0 {
			old := m.order[0]
			m.order = m.order[1:]
			m.bytes -= m.entries[old].size
			delete(m.entries, old)
		}
	}
	return maps.Clone(data), maps.Clone(binary), rep
}

// memoKey hashes everything scrub.ConfigMap's result depends on: every scrubbing input, and
// the ConfigMap's name and content.
func memoKey(inputs scrubInputs, cm *corev1.ConfigMap) [32]byte {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode([]any{inputs, cm.Name, cm.Data, cm.BinaryData})
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

func sizeOf(data map[string]string, binary map[string][]byte) int {
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
	}
	for k, v := range binary {
		n += len(k) + len(v)
	}
	return n
}
