package corpus

import (
	"embed"
	"io/fs"
)

//go:embed default
var defaultFiles embed.FS

// Default returns the corpus shipped inside the binary, rooted at its folder
// so that document IDs are plain file names. Load it with Load(Default(), …).
func Default() fs.FS {
	sub, err := fs.Sub(defaultFiles, "default")
	if err != nil {
		// fs.Sub only fails on an invalid path, and "default" is valid.
		panic("corpus: embedded default corpus: " + err.Error())
	}
	return sub
}
