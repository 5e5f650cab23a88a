package corpus

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Skipped is a file Load could not turn into a document.
type Skipped struct {
	// Path is the file's path relative to the corpus root, slash-separated.
	Path string
	// Reason says why, in words an operator can act on.
	Reason string
}

// Supported reports whether name has an extension Parse understands:
// .txt, .md, .markdown, .html, .htm, .pdf, .docx or .odt, in any case. It does not look at
// whether the name is hidden; see Ignored.
func Supported(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".odt":
		return true
	}
	return false
}

// Ignored reports whether any element of the slash- or OS-separated path
// name is hidden (starts with '.') or is an editor's temporary or partial
// file: "x~", "#x#", "~$x", "*.swp", "*.swo", "*.tmp", "*.temp", "*.part",
// "*.crdownload". Load skips such names silently; a file watcher should
// ignore their events.
func Ignored(name string) bool {
	for elem := range strings.FieldsFuncSeq(filepath.ToSlash(name), func(r rune) bool { return r == '/' }) {
		if elem != "." && elem != ".." && ignoredElem(elem) {
			return true
		}
	}
	return false
}

func ignoredElem(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasSuffix(name, "~") {
		return true
	}
	if len(name) > 1 && strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#") {
		return true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".swp", ".swo", ".swx", ".tmp", ".temp", ".part", ".crdownload":
		return true
	}
	return false
}

// Load parses every supported file under the root of fsys, recursively,
// and returns the documents sorted by ID (their slash-separated path).
//
// Hidden and temporary files and folders (see Ignored) and files with an
// unsupported extension are passed over silently. Symlinks are never
// followed, so a corpus cannot reach outside its root. Every other file
// that cannot be loaded (too large, binary, not UTF-8, unreadable, empty
// after cleaning, a scanned or encrypted PDF, a symlink, a device) is reported in skipped with its
// reason and logged as a warning; it never stops the others.
//
// err is non-nil only when the root itself cannot be read.
func Load(fsys fs.FS, opts Options) (docs []*Document, skipped []Skipped, err error) {
	skipped, err = LoadEach(fsys, opts, func(d *Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(docs, func(a, b *Document) int { return cmp.Compare(a.ID, b.ID) })
	return docs, skipped, nil
}

// LoadEach is Load without holding the corpus: it passes each document
// to fn as soon as it is parsed, in the order fs.WalkDir visits the files,
// so that a caller can index and drop documents as it goes. An error from
// fn stops the walk and is returned.
func LoadEach(fsys fs.FS, opts Options, fn func(*Document) error) (skipped []Skipped, err error) {
	opts = opts.withDefaults()
	if opts.PDF == nil {
		// One engine for the walk, started only if it meets a PDF.
		opts.PDF = NewPDFEngine()
		defer opts.PDF.Close()
	}
	log := opts.Logger
	skip := func(p string, err error) {
		skipped = append(skipped, Skipped{Path: p, Reason: err.Error()})
		log.Warn("skipped corpus file", slog.String("path", p), slog.String("reason", err.Error()))
	}
	walkErr := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			skip(p, fmt.Errorf("read: %w", unwrapPathError(err)))
			return nil // WalkDir skips the directory's contents on its own
		}
		if p == "." {
			return nil
		}
		if ignoredElem(d.Name()) {
			log.Debug("ignored hidden or temporary file", slog.String("path", p))
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch mode := d.Type(); {
		case mode&fs.ModeSymlink != 0:
			skip(p, ErrSymlink)
			return nil
		case d.IsDir():
			return nil
		case !Supported(p):
			log.Debug("ignored unsupported file", slog.String("path", p))
			return nil
		case !mode.IsRegular():
			skip(p, ErrNotRegular)
			return nil
		}
		doc, err := loadFS(fsys, p, opts)
		if err != nil {
			skip(p, err)
			return nil
		}
		if err := fn(doc); err != nil {
			return &stopError{err}
		}
		return nil
	})
	var se *stopError
	if errors.As(walkErr, &se) {
		return skipped, se.err
	}
	if walkErr != nil {
		return nil, fmt.Errorf("walk corpus root: %w", walkErr)
	}
	return skipped, nil
}

// stopError carries the error of LoadEach's fn out of the walk.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }

// LoadDir loads the corpus in directory dir, like Load. The directory is
// opened as an os.Root, so no path, not even one changed into a symlink
// while loading, can lead outside it.
func LoadDir(dir string, opts Options) ([]*Document, []Skipped, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open corpus %s: %w", dir, err)
	}
	defer root.Close()
	return Load(root.FS(), opts)
}

// LoadDirEach is LoadEach on the corpus in directory dir, opened as in
// LoadDir.
func LoadDirEach(dir string, opts Options, fn func(*Document) error) ([]Skipped, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open corpus %s: %w", dir, err)
	}
	defer root.Close()
	return LoadEach(root.FS(), opts, fn)
}

// LoadFile loads the single file rel (slash-separated, relative to the
// corpus directory root) with the same checks as Load; a file watcher uses
// it to reload what changed. The document's ID is rel.
//
// Errors wrap ErrIgnored (a hidden or temporary path), ErrUnsupported,
// ErrSymlink, ErrNotRegular, ErrTooLarge, ErrBinary, ErrNotUTF8, ErrEmpty,
// ErrNoTextLayer, ErrEncrypted, ErrUnreadable, or the fs error that prevented reading the file (fs.ErrNotExist after a
// deletion, fs.ErrPermission).
func LoadFile(root, rel string, opts Options) (*Document, error) {
	opts = opts.withDefaults()
	rel = filepath.ToSlash(rel)
	if !fs.ValidPath(rel) || rel == "." {
		return nil, fmt.Errorf("load %q: path must be relative and inside the corpus: %w", rel, fs.ErrInvalid)
	}
	if Ignored(rel) {
		return nil, fmt.Errorf("load %s: %w", rel, ErrIgnored)
	}
	if !Supported(rel) {
		return nil, fmt.Errorf("load %s: extension %q: %w", rel, path.Ext(rel), ErrUnsupported)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open corpus %s: %w", root, err)
	}
	defer r.Close()
	info, err := r.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", rel, unwrapPathError(err))
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("load %s: %w", rel, ErrSymlink)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("load %s: %w", rel, ErrNotRegular)
	}
	doc, err := loadFS(r.FS(), rel, opts)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", rel, err)
	}
	return doc, nil
}

// loadFS reads and parses the regular file p of fsys, reading at most
// opts.MaxFileSize+1 bytes. Errors carry no path: callers add it.
func loadFS(fsys fs.FS, p string, opts Options) (*Document, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open: %w", unwrapPathError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat: %w", unwrapPathError(err))
	}
	if !info.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if info.Size() > opts.MaxFileSize {
		return nil, fmt.Errorf("%d bytes, over the %d byte limit: %w", info.Size(), opts.MaxFileSize, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, opts.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", unwrapPathError(err))
	}
	doc, err := Parse(p, data, opts)
	if err != nil {
		return nil, err
	}
	doc.ModTime = info.ModTime()
	return doc, nil
}

// unwrapPathError drops the *fs.PathError wrapper, whose path the caller
// reports already, keeping the underlying error ("permission denied").
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
