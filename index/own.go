package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// markerFile marks a folder as a framebot index. framebot writes it first
// when it creates an index, and it never deletes, replaces or writes into a
// folder that lacks it: the index folder is a setting, and a wrong one
// (the corpus, the data folder, a user's folder) must not cost the user
// their files.
const markerFile = "framebot-index.json"

// ErrNotIndex is wrapped by the error Open returns when the index folder is
// not framebot's: a file, or a folder holding other files. Nothing has been
// written or removed.
var ErrNotIndex = errors.New("not a framebot index")

// NotIndexError says which folder Open refused, why, and what to do.
type NotIndexError struct {
	Dir string
	// Why describes what is there instead ("is a file", "holds files
	// that are not a framebot index: notes.txt, …").
	Why string
}

func (e *NotIndexError) Error() string {
	return fmt.Sprintf("index folder %s %s; framebot keeps its index only in a folder it created, so it has changed nothing: "+
		"choose a new or empty folder for the index (--index or index_dir), or move that one away", e.Dir, e.Why)
}

// Is makes errors.Is(err, ErrNotIndex) true.
func (e *NotIndexError) Is(target error) bool { return target == ErrNotIndex }

// marker is the content of markerFile.
type marker struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
}

const markerFormat = "framebot-index"

// ownership is what claim found at an index path.
type ownership int

const (
	absent  ownership = iota // nothing there, or an empty folder: create it
	owned                    // framebot's index (marker present)
	adopted                  // framebot's index from before the marker: marker now written
)

// isLegacyName reports whether name is one of the only entries of an index
// folder written before the marker existed: Bleve's index_meta.json and
// store/, and the catalog. A marker file that can't be read (damaged)
// counts as one of them.
func isLegacyName(name string) bool {
	switch name {
	case "index_meta.json", "store", catalogFile, markerFile, markerFile + ".tmp":
		return true
	}
	return false
}

// claim decides whether framebot may use dir as its index. A folder holding
// the marker is framebot's; a missing or empty folder may become it. A
// folder that holds exactly the files of an index framebot wrote before the
// marker existed (index_meta.json, store/ with only Bleve's files, the
// catalog) is adopted: the marker is written into it. Anything else — a
// regular file, a folder with any other entry — is refused with a
// *NotIndexError, before anything is written.
func claim(dir string) (ownership, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return absent, nil
	}
	if err != nil {
		return 0, fmt.Errorf("open index %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return 0, &NotIndexError{Dir: dir, Why: "is a file, not a folder"}
	}
	if hasMarker(dir) {
		return owned, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("open index %s: %w", dir, err)
	}
	if len(entries) == 0 || (len(entries) == 1 && entries[0].Name() == markerFile+".tmp") {
		// Empty, or a creation cut short while writing the marker.
		return absent, nil
	}
	if !isLegacyIndex(dir, entries) {
		return 0, &NotIndexError{Dir: dir, Why: "holds files that are not a framebot index (" + listNames(entries, 3) + ")"}
	}
	if err := writeMarker(dir); err != nil {
		return 0, err
	}
	return adopted, nil
}

// hasMarker reports whether dir holds a readable framebot marker.
func hasMarker(dir string) bool {
	raw, err := os.ReadFile(filepath.Join(dir, markerFile))
	if err != nil {
		return false
	}
	var m marker
	return json.Unmarshal(raw, &m) == nil && m.Format == markerFormat
}

// isLegacyIndex reports whether entries (dir's) are exactly those of a
// framebot index written before the marker: index_meta.json present, every
// entry one of isLegacyName's, and store/ (when there) holding only Bleve's
// root.bolt and .zap segment files.
func isLegacyIndex(dir string, entries []fs.DirEntry) bool {
	meta := false
	for _, e := range entries {
		if !isLegacyName(e.Name()) {
			return false
		}
		switch e.Name() {
		case "index_meta.json":
			meta = e.Type().IsRegular()
		case "store":
			if !e.IsDir() {
				return false
			}
			store, err := os.ReadDir(filepath.Join(dir, "store"))
			if err != nil {
				return false
			}
			for _, s := range store {
				if !s.Type().IsRegular() || (s.Name() != "root.bolt" && !strings.HasSuffix(s.Name(), ".zap")) {
					return false
				}
			}
		case catalogFile, markerFile, markerFile + ".tmp":
			if !e.Type().IsRegular() {
				return false
			}
		}
	}
	return meta
}

func listNames(entries []fs.DirEntry, n int) string {
	var names []string
	for i, e := range entries {
		if i == n {
			names = append(names, fmt.Sprintf("and %d more", len(entries)-n))
			break
		}
		names = append(names, fmt.Sprintf("%q", e.Name()))
	}
	return strings.Join(names, ", ")
}

// writeMarker writes the marker into dir, creating dir when missing.
func writeMarker(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create index %s: %w", dir, err)
	}
	raw, err := json.Marshal(marker{Format: markerFormat, Created: time.Now().UTC()})
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, markerFile+".tmp")
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return fmt.Errorf("write index marker in %s: %w", dir, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, markerFile)); err != nil {
		return fmt.Errorf("write index marker in %s: %w", dir, err)
	}
	return nil
}

// Sibling folders used while an index is replaced: the new index is built
// in a ".<name>.new-*" folder beside it, and the old one is moved to
// ".<name>.old-*" before it is removed. Both live in the same parent, so
// the moves are renames.
func newSibling(dir string) (string, error) {
	return os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".new-")
}

// removeOwned removes dir only when it holds framebot's marker.
func removeOwned(dir string) error {
	if !hasMarker(dir) {
		return fmt.Errorf("not removing %s: it holds no framebot index marker", dir)
	}
	return os.RemoveAll(dir)
}

// cleanLeftovers removes the sibling folders of dir left by a replacement
// that was interrupted (a crash, a kill): only those holding the marker,
// or empty ones.
func cleanLeftovers(dir string) {
	for _, kind := range []string{".new-", ".old-"} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+kind+"*"))
		for _, m := range matches {
			if hasMarker(m) {
				_ = os.RemoveAll(m)
			} else {
				_ = os.Remove(m) // only if empty
			}
		}
	}
}

// swapIn moves the index built in fresh to dir, and removes the index that
// was at dir (framebot's: claim checked it). Neither index may be open.
// When the second rename fails, the old index is put back.
func swapIn(fresh, dir string) error {
	old := ""
	if _, err := os.Stat(dir); err == nil {
		tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
		if err != nil {
			return fmt.Errorf("replace index %s: %w", dir, err)
		}
		// MkdirTemp made the name unique; rename needs it free.
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("replace index %s: %w", dir, err)
		}
		if err := os.Rename(dir, tmp); err != nil {
			return fmt.Errorf("replace index %s: move the old one aside: %w", dir, err)
		}
		old = tmp
	}
	if err := os.Rename(fresh, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("replace index %s: %w", dir, err)
	}
	if old != "" {
		if err := removeOwned(old); err != nil {
			return fmt.Errorf("remove the old index %s: %w", old, err)
		}
	}
	return nil
}
