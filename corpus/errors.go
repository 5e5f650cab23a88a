package corpus

import "errors"

// Sentinel errors returned, wrapped with context, by Parse, LoadFile and (as
// the reason of a Skipped file) Load. Branch on them with errors.Is.
var (
	// ErrTooLarge means the file is larger than Options.MaxFileSize.
	ErrTooLarge = errors.New("file too large")
	// ErrBinary means the file holds NUL bytes or too many control
	// characters to be text.
	ErrBinary = errors.New("binary content")
	// ErrNotUTF8 means the file is text but not valid UTF-8.
	ErrNotUTF8 = errors.New("not valid UTF-8")
	// ErrUnsupported means the file's extension is not one Parse knows.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrEmpty means no quotable text was left after cleaning.
	ErrEmpty = errors.New("no text left after cleaning")
	// ErrSymlink means the path is a symbolic link, which the loader never
	// follows so that a corpus cannot reach files outside its root.
	ErrSymlink = errors.New("symlink not followed")
	// ErrNotRegular means the path is a device, pipe, socket or directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrIgnored means the name is hidden or an editor's temporary file.
	ErrIgnored = errors.New("hidden or temporary file")
	// ErrNoTextLayer means a PDF has pages but no text on them: a scan.
	ErrNoTextLayer = errors.New("no text layer")
	// ErrEncrypted means a PDF, DOCX or ODT is protected by a password.
	ErrEncrypted = errors.New("encrypted")
	// ErrUnreadable means a PDF, DOCX or ODT is malformed or truncated, or
	// took longer than Options.ParseTimeout to read.
	ErrUnreadable = errors.New("unreadable")
)
