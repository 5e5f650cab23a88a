package corpus

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// rescan walks the whole corpus: it watches every folder not watched yet,
// forgets those that are gone, and prepares a Full batch of the files
// present. Files modified less than Settle ago count as being written and
// go to pending instead. It returns an error when the root can't be read.
func (l *watchLoop) rescan() error {
	now := l.w.opts.Now()
	present := map[string]bool{}
	seen := map[string]bool{}
	err := filepath.WalkDir(l.w.root, func(p string, d fs.DirEntry, err error) error {
		rel, ok := l.w.rel(p)
		if !ok {
			return nil
		}
		if err != nil {
			if rel == "." {
				return err
			}
			l.log.Warn("corpus folder unreadable", slog.String("path", rel), slog.String("error", err.Error()))
			return nil
		}
		if rel != "." && ignoredElem(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			seen[rel] = true
			l.watch(rel)
			return nil
		}
		if !Supported(rel) || l.pending[rel] != nil {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if age := now.Sub(info.ModTime()); age >= 0 && age < l.w.opts.Settle {
				l.mark(rel, now)
				return nil
			}
		}
		present[rel] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan corpus %s: %w", l.w.root, err)
	}
	for d := range l.dirs {
		if !seen[d] {
			l.unwatchTree(d)
		}
	}
	l.full, l.present = true, present
	l.lastRescan, l.rescanNow = now, false
	l.w.setHealth(func(h *WatchHealth) {
		h.LastRescan = now
		h.Folders = len(l.dirs)
	})
	return nil
}

// watchTree watches the new folder rel and everything under it, and marks
// the files already in it as changed: they may have been written before
// the watch was in place.
func (l *watchLoop) watchTree(rel string, now time.Time) {
	root := filepath.Join(l.w.root, filepath.FromSlash(rel))
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		r, ok := l.w.rel(p)
		if err != nil || !ok {
			return nil // gone already, or unreadable: the next rescan says so
		}
		if r != rel && ignoredElem(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			// Watch before listing, so that nothing created meanwhile is missed.
			l.watch(r)
		case Supported(r):
			l.mark(r, now)
		}
		return nil
	})
	l.w.setHealth(func(h *WatchHealth) { h.Folders = len(l.dirs) })
}

// watch adds the folder rel to the event source, once.
func (l *watchLoop) watch(rel string) {
	if l.dirs[rel] {
		return
	}
	if l.fsw != nil {
		if err := l.fsw.Add(filepath.Join(l.w.root, filepath.FromSlash(rel))); err != nil {
			// Often the inotify watch limit; the periodic rescan still
			// catches this folder's changes and retries.
			l.log.Warn("can't watch corpus folder", slog.String("path", rel), slog.String("error", err.Error()))
			l.w.setHealth(func(h *WatchHealth) { h.LastError = err.Error() })
			return
		}
	}
	l.dirs[rel] = true
}

// unwatchTree forgets the folder rel and its sub-folders. Their watches
// must go: a folder moved elsewhere would otherwise go on reporting events
// under its old name.
func (l *watchLoop) unwatchTree(rel string) {
	for d := range l.dirs {
		if d == rel || strings.HasPrefix(d, rel+"/") {
			if l.fsw != nil {
				_ = l.fsw.Remove(filepath.Join(l.w.root, filepath.FromSlash(d))) // already gone with the folder, usually
			}
			delete(l.dirs, d)
		}
	}
	l.w.setHealth(func(h *WatchHealth) { h.Folders = len(l.dirs) })
}
