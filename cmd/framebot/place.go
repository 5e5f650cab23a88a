package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkIndexPlace refuses an index folder that would hold, or sit among,
// files that are not framebot's index: the corpus (or a folder inside it
// or around it) and the data folder itself (or one around it), whose
// state.db would go when the index is rebuilt. A folder inside data_dir is
// fine: that is where the index goes by default.
func (c Config) checkIndexPlace() error {
	ixDir, err := indexDir(c)
	if err != nil || ixDir == "" {
		return nil // reported by the other checks
	}
	var errs []error
	if c.Corpus != "" {
		if err := notAmong(ixDir, c.Corpus, "the corpus folder"); err != nil {
			errs = append(errs, fmt.Errorf("index_dir: %w", err))
		}
	}
	if c.DataDir != "" && c.IndexDir != "" {
		ix, data := realPath(ixDir), realPath(c.DataDir)
		if within(data, ix) {
			what := "is the data folder"
			if ix != data {
				what = "holds the data folder " + c.DataDir
			}
			errs = append(errs, fmt.Errorf("index_dir: %s %s, whose state.db (feedback, subscriptions, keys) would be lost when the index is rebuilt; give the index a folder of its own, such as %s", ixDir, what, filepath.Join(c.DataDir, "index")))
		}
	}
	return errors.Join(errs...)
}

// notAmong says what is wrong when index folder ixDir is the folder other
// (named what), inside it, or holds it.
func notAmong(ixDir, other, what string) error {
	ix, o := realPath(ixDir), realPath(other)
	var rel string
	switch {
	case ix == o:
		rel = "is " + what
	case within(ix, o):
		rel = "is inside " + what + " " + other
	case within(o, ix):
		rel = "holds " + what + " " + other
	default:
		return nil
	}
	return fmt.Errorf("the index folder %s %s; framebot will not write its index among your files: give --index (or index_dir) a folder outside it", ixDir, rel)
}

// realPath returns p made absolute, with the symlinks of its longest
// existing prefix resolved, so that two spellings of one folder compare
// equal.
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for dir := abs; ; {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		} else if !errors.Is(err, os.ErrNotExist) {
			return abs
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
}

// within reports whether path a is b or inside it (both clean, absolute).
func within(a, b string) bool {
	rel, err := filepath.Rel(b, a)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
