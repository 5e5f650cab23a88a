// Package beir reads retrieval test collections in the BEIR layout
// (corpus.jsonl, queries.jsonl, qrels/test.tsv) and turns their documents
// into corpus documents, so benchmarks and framebot eval index them with the
// same code the bot uses.
package beir

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"framebot/corpus"
)

// Doc is one line of corpus.jsonl.
type Doc struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Query is one line of queries.jsonl.
type Query struct {
	ID   string `json:"_id"`
	Text string `json:"text"`
}

// Qrels maps a query ID to the graded relevance of documents (gain > 0).
type Qrels map[string]map[string]int

// Set is a loaded collection.
type Set struct {
	Docs    []Doc
	Queries []Query
	// Qrels is nil when the collection has no judgements.
	Qrels Qrels
}

// Load reads the collection in dir. Qrels are optional; corpus.jsonl and
// queries.jsonl are not. It returns an error naming the file and line of
// the first malformed record.
func Load(dir string) (*Set, error) {
	s, err := LoadQueries(dir)
	if err != nil {
		return nil, err
	}
	if err := EachDoc(dir, func(d Doc) error {
		s.Docs = append(s.Docs, d)
		return nil
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// EachDoc reads the documents of the collection in dir one at a time,
// passing each to fn, so that a large corpus need not be held in memory.
// It returns an error naming the file and line of the first malformed
// record, or fn's error.
func EachDoc(dir string, fn func(Doc) error) error {
	return ReadJSONL(filepath.Join(dir, "corpus.jsonl"), func(raw []byte) error {
		d, err := decodeDoc(raw)
		if err != nil {
			return err
		}
		if d.ID == "" {
			return errors.New("document without _id")
		}
		return fn(d)
	})
}

// LoadQueries reads the queries and qrels of the collection in dir, not
// its documents: for answering from an index already built from them.
func LoadQueries(dir string) (*Set, error) {
	s := &Set{}
	if err := ReadJSONL(filepath.Join(dir, "queries.jsonl"), func(raw []byte) error {
		var q Query
		if err := json.Unmarshal(raw, &q); err != nil {
			return err
		}
		s.Queries = append(s.Queries, q)
		return nil
	}); err != nil {
		return nil, err
	}
	qr, err := loadQrels(filepath.Join(dir, "qrels", "test.tsv"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s.Qrels = qr
	return s, nil
}

// ReadJSONL calls each with every non-blank line of the JSON-lines file
// at path; an error names the file and line.
func ReadJSONL(path string, each func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	return EachLine(f, path, each)
}

// EachLine calls each with every non-blank line of r (lines up to 64 MiB);
// an error names name and the line. A UTF-8 byte order mark before the
// first line (as some Windows tools write) is left out.
func EachLine(r io.Reader, name string, each func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := each(line); err != nil {
			return fmt.Errorf("%s line %d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// loadQrels reads "query-id corpus-id score" lines (tab separated, with an
// optional header), keeping gains above 0.
func loadQrels(path string) (Qrels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	q := Qrels{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		p := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(p) < 3 {
			continue
		}
		g, err := strconv.Atoi(strings.TrimSpace(p[len(p)-1]))
		if err != nil {
			if n == 1 {
				continue // header
			}
			return nil, fmt.Errorf("%s line %d: score %q is not a number", path, n, p[len(p)-1])
		}
		if g <= 0 {
			continue
		}
		if q[p[0]] == nil {
			q[p[0]] = map[string]int{}
		}
		q[p[0]][p[1]] = g
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return q, nil
}

// Documents converts the collection's documents into corpus documents: the
// text is cleaned and split into passages like any other document, and the
// title kept as the title.
func (s *Set) Documents(maxWords int) []*corpus.Document {
	out := make([]*corpus.Document, 0, len(s.Docs))
	for _, d := range s.Docs {
		out = append(out, ToDocument(d, maxWords))
	}
	return out
}

// ToDocument converts one BEIR document.
func ToDocument(d Doc, maxWords int) *corpus.Document {
	text := corpus.Fold(d.Text)
	sum := sha256.Sum256([]byte(d.Title + "\x00" + d.Text))
	doc := &corpus.Document{
		ID:     d.ID,
		Title:  corpus.Fold(d.Title),
		Source: d.ID,
		Hash:   hex.EncodeToString(sum[:]),
	}
	if text != "" {
		doc.Paragraphs = []string{text}
		doc.Passages = corpus.Split(d.ID, doc.Paragraphs, maxWords)
	}
	return doc
}
