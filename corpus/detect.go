package corpus

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// maxControlRatio is the share of control bytes (other than tab, newline,
// carriage return and form feed) above which a file counts as binary.
const maxControlRatio = 0.05

// checkText returns an error wrapping ErrBinary or ErrNotUTF8 when data is
// not UTF-8 text. Binary wins over encoding: a file full of NUL bytes is
// reported as binary even though it is not UTF-8 either.
func checkText(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("NUL byte at offset %d: %w", i, ErrBinary)
	}
	control := 0
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			control++
		}
	}
	if len(data) > 0 && float64(control)/float64(len(data)) > maxControlRatio {
		return fmt.Errorf("%d control bytes in %d: %w", control, len(data), ErrBinary)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("invalid byte at offset %d: %w", invalidUTF8At(data), ErrNotUTF8)
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of data that is not
// part of a valid UTF-8 sequence.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
