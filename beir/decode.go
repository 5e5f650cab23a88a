package beir

import (
	"bytes"
	"encoding/json"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeDoc decodes one corpus.jsonl record exactly as json.Unmarshal into
// a Doc does. The common record (an object of string fields, other keys
// skipped) is read by hand: 6.5 times faster than encoding/json's
// reflection for one record, 3 to 4.7 times for a whole file read
// (BenchmarkDecodeDoc, BenchmarkEachDoc); reading and decoding were about
// 4 % of framebot eval's CPU on 200,000 records. Anything else (a field that is null or
// not a string, a key with an escape or matching a field only when case
// is ignored, anything malformed) goes to json.Unmarshal, which then
// gives the result or the error. FuzzDecodeDoc holds the two equal.
func decodeDoc(raw []byte) (Doc, error) {
	if d, ok := fastDoc(raw); ok {
		return d, nil
	}
	var d Doc
	err := json.Unmarshal(raw, &d)
	return d, err
}

// fastDoc decodes raw when it is the common record; ok is false when it
// is not, or when raw is not valid JSON.
func fastDoc(raw []byte) (d Doc, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return Doc{}, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return d, skipSpace(raw, i+1) == len(raw)
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return Doc{}, false
		}
		end := plainString(raw, i)
		if end < 0 {
			return Doc{}, false // a key with an escape or a non-ASCII byte
		}
		key := raw[i+1 : end-1]
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return Doc{}, false
		}
		i = skipSpace(raw, i+1)
		var field *string
		switch string(key) {
		case "_id":
			field = &d.ID
		case "title":
			field = &d.Title
		case "text":
			field = &d.Text
		default:
			for _, name := range [...]string{"_id", "title", "text"} {
				if bytes.EqualFold(key, []byte(name)) {
					return Doc{}, false
				}
			}
		}
		if field != nil {
			s, end, ok := decodeString(raw, i)
			if !ok {
				return Doc{}, false
			}
			*field, i = s, end
		} else {
			end := valueEnd(raw, i)
			if end < 0 || !json.Valid(raw[i:end]) {
				return Doc{}, false
			}
			i = end
		}
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return Doc{}, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return d, skipSpace(raw, i+1) == len(raw)
		default:
			return Doc{}, false
		}
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// plainString returns the index just past the string starting at raw[i]
// (a quote) when it holds only printable ASCII and no escape, -1
// otherwise.
func plainString(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			return j + 1
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return -1
		}
	}
	return -1
}

// decodeString decodes the JSON string starting at raw[i] as
// encoding/json does (invalid UTF-8 and lone surrogates become U+FFFD)
// and returns the index just past it; ok is false when raw[i] does not
// begin a valid string.
func decodeString(raw []byte, i int) (s string, end int, ok bool) {
	if i >= len(raw) || raw[i] != '"' {
		return "", 0, false
	}
	if end := plainString(raw, i); end >= 0 {
		return string(raw[i+1 : end-1]), end, true
	}
	var b []byte
	j := i + 1
	for j < len(raw) {
		c := raw[j]
		switch {
		case c == '"':
			return string(b), j + 1, true
		case c < 0x20:
			return "", 0, false
		case c == '\\':
			if j+1 >= len(raw) {
				return "", 0, false
			}
			switch e := raw[j+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
				j += 2
			case 'b':
				b, j = append(b, '\b'), j+2
			case 'f':
				b, j = append(b, '\f'), j+2
			case 'n':
				b, j = append(b, '\n'), j+2
			case 'r':
				b, j = append(b, '\r'), j+2
			case 't':
				b, j = append(b, '\t'), j+2
			case 'u':
				r := hex4(raw, j)
				if r < 0 {
					return "", 0, false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					// A pair decodes to one rune; anything else leaves
					// U+FFFD and the next escape to be read on its own.
					if r2 := hex4(raw, j); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							j += 6
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", 0, false
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			j++
		default:
			r, size := utf8.DecodeRune(raw[j:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, raw[j:j+size]...)
			}
			j += size
		}
	}
	return "", 0, false
}

// hex4 reads the escape \uXXXX at raw[j:] and returns its value, or -1
// when raw[j:] does not begin with one.
func hex4(raw []byte, j int) rune {
	if j+6 > len(raw) || raw[j] != '\\' || raw[j+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range raw[j+2 : j+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// valueEnd returns the index just past the JSON value starting at raw[i],
// found by its brackets and strings only (json.Valid checks it), or -1.
func valueEnd(raw []byte, i int) int {
	depth := 0
	for j := i; j < len(raw); j++ {
		switch c := raw[j]; c {
		case '"':
			j++
			for j < len(raw) && raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(raw) {
				return -1
			}
			if depth == 0 {
				return j + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j // the end of the enclosing object
			}
			depth--
			if depth == 0 {
				return j + 1
			}
		case ',':
			if depth == 0 {
				return j
			}
		}
	}
	if depth == 0 {
		return len(raw)
	}
	return -1
}
