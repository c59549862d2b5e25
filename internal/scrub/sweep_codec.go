package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// codec is an encoding the sweep looks through: which bytes an encoded run is made of, and how to
// decode and re-encode it.
type codec struct {
	inRun  func(c byte) bool
	decode func(run string) ([]byte, bool)
	encode func(b []byte, like string) string
	// align is how many leading bytes may precede the first whole group of a run that starts
	// inside a word ("x" + base64).
	align int
}

func hexCodec(upper bool) codec {
	return codec{
		inRun: func(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') },
		decode: func(run string) ([]byte, bool) {
			b, err := hex.DecodeString(run)
			return b, err == nil
		},
		encode: func(b []byte, _ string) string {
			if upper {
				return strings.ToUpper(hex.EncodeToString(b))
			}
			return hex.EncodeToString(b)
		},
		align: 1,
	}
}

func base64Codec(urlSafe bool) codec {
	raw, padded := base64.RawStdEncoding, base64.StdEncoding
	extra := "+/"
	if urlSafe {
		raw, padded, extra = base64.RawURLEncoding, base64.URLEncoding, "-_"
	}
	return codec{
		inRun: func(c byte) bool { return isAlnum(c) || c == extra[0] || c == extra[1] },
		decode: func(run string) ([]byte, bool) {
			b, err := raw.DecodeString(strings.TrimRight(run, "="))
			return b, err == nil
		},
		encode: func(b []byte, like string) string {
			// A run without padding but of whole groups reads as padded base64 (the common kind).
			if strings.HasSuffix(like, "=") || len(like)%4 == 0 {
				return padded.EncodeToString(b)
			}
			return raw.EncodeToString(b)
		},
		align: 3,
	}
}

// recode replaces the encoded run around occurrence o by the encoding of its swept decoded form.
// When no alignment of the run decodes to text holding a known value, the occurrence alone is
// replaced by fallback.
func (sw *Sweep) recode(s string, o occurrence, depth int, runs map[int]span, c codec, fallback string) span {
	start, end := o.start, o.end
	for start > 0 && c.inRun(s[start-1]) {
		start--
	}
	for end < len(s) && c.inRun(s[end]) {
		end++
	}
	for pad := 0; pad < 2 && end < len(s) && s[end] == '='; pad++ {
		end++
	}
	if sp, ok := runs[start]; ok && sp.end >= o.end {
		return sp
	}
	if depth < sw.maxDepth {
		for skip := 0; skip <= c.align && start+skip < o.start+1; skip++ {
			run := s[start+skip : end]
			dec, ok := c.decode(run)
			if !ok {
				continue
			}
			swept, n := sw.sweep(string(dec), depth+1)
			if n == 0 {
				continue
			}
			sp := span{start + skip, end, c.encode([]byte(swept), run)}
			runs[start] = sp
			return sp
		}
	}
	return span{o.start, o.end, fallback}
}

// sameLength repeats stand-in to n bytes: base62 characters are valid in every base64 alphabet, so
// a run keeps decoding, only to different bytes.
func sameLength(standIn string, n int) string {
	return strings.Repeat(standIn, n/len(standIn)+1)[:n]
}
