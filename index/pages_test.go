package index

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPagesAreStoredAndReturned checks that the page of each passage of a
// paged document comes back from Search and Passages, and its page count
// from Documents, also after reopening the index.
func TestPagesAreStoredAndReturned(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := openT(t, dir)
	d := doc(t, "manual", "Manual", "The walrus sings at dawn.", "Penguins march in winter.")
	d.Passages[0].Page, d.Passages[1].Page, d.Pages = 3, 7, 9
	plain := doc(t, "notes", "Notes", "Otters juggle stones.")
	if _, err := ix.Upsert(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Upsert(ctx, plain); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix = openT(t, dir)

	pageOf := func(q string) int {
		t.Helper()
		res, err := ix.Search(ctx, q, 5)
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("search %q: %v, %d hits", q, err, len(res.Hits))
		}
		return res.Hits[0].Page
	}
	if got := pageOf("penguins march"); got != 7 {
		t.Errorf("page of the penguin passage = %d, want 7", got)
	}
	if got := pageOf("otters juggle"); got != 0 {
		t.Errorf("page of a passage of an unpaged document = %d, want 0", got)
	}

	var pages []int
	for p, err := range ix.Passages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p.Page)
	}
	if diff := cmp.Diff([]int{3, 7, 0}, pages); diff != "" {
		t.Errorf("Passages pages (-want +got):\n%s", diff)
	}

	srcs, err := ix.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, s := range srcs {
		got[s.Doc] = s.Pages
	}
	if diff := cmp.Diff(map[string]int{"manual": 9, "notes": 0}, got); diff != "" {
		t.Errorf("Documents pages (-want +got):\n%s", diff)
	}
}
