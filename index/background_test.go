package index

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"framebot/corpus"
)

// When one of scorch's goroutines has died (it reports a recovered panic),
// a batch would wait for ever: Apply fails at once instead, what was
// indexed stays searchable, and the index written after a reopen works.
func TestApplyFailsOnceScorchsGoroutinesDied(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := openT(t, dir)
	if _, err := ix.Apply(ctx, []*corpus.Document{doc(t, "a", "Walrus", "The walrus sings at dawn.")}, nil); err != nil {
		t.Fatal(err)
	}
	report := scorch.RegistryAsyncErrorCallbacks[asyncCallbackName]
	if report == nil {
		t.Fatal("framebot's callback is not in scorch's registry")
	}
	// A persist error is retried by scorch: nothing stops.
	report(scorch.NewScorchError("persister", "no space left on device", scorch.ErrPersist), storeDir(dir))
	if _, err := ix.Apply(ctx, []*corpus.Document{doc(t, "b", "Gulls", "Gulls wait on the wall.")}, nil); err != nil {
		t.Fatalf("after a persist error: %v", err)
	}
	report(scorch.NewScorchError("introducer", "panic: segment closed", scorch.ErrAsyncPanic), storeDir(dir))
	_, err := ix.Apply(ctx, []*corpus.Document{doc(t, "c", "Boats", "Boats leave the harbour.")}, nil)
	if !errors.Is(err, errBatchPanic) {
		t.Fatalf("Apply after scorch's introducer died: %v, want errBatchPanic", err)
	}
	res, err := ix.Search(ctx, "walrus gulls", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 {
		t.Errorf("%d hits after the failure, want the 2 documents indexed before it", len(res.Hits))
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = openT(t, dir)
	if _, err := ix.Apply(ctx, []*corpus.Document{doc(t, "c", "Boats", "Boats leave the harbour.")}, nil); err != nil {
		t.Fatalf("Apply after a reopen: %v", err)
	}
}
