package main

import (
	"fmt"
	"io"
	"strings"
)

// progressBar draws indexing progress on a terminal; elsewhere it stays
// silent so logs and pipes get no control characters.
type progressBar struct {
	w     io.Writer
	tty   bool
	drawn bool
}

func newProgressBar(w io.Writer, tty bool) *progressBar { return &progressBar{w: w, tty: tty} }

func (p *progressBar) update(done, total int) {
	if !p.tty {
		return
	}
	if total == 0 { // not known: the corpus is indexed as it is read
		fmt.Fprintf(p.w, "\rindexing… %d documents read", done)
		p.drawn = true
		return
	}
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\rindexing [%s%s] %3d%% %d/%d documents", strings.Repeat("=", n), strings.Repeat(" ", width-n), done*100/total, done, total)
	p.drawn = true
}

func (p *progressBar) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
