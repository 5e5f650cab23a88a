package bot

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestARebuildingIndexGetsAReplyNotAnError(t *testing.T) {
	rebuilding := searchFunc(func(context.Context, string, int) (*SearchResult, error) {
		return nil, fmt.Errorf("search: %w: segment damaged", ErrRebuilding)
	})
	b := New(NewAnswerer(rebuilding, AnswerOptions{}), nil)
	req := Request{Platform: "test", User: "u", Text: "what guarantees are offered?"}
	for _, tt := range []struct {
		name string
		run  func() (Reply, error)
	}{
		{"a question", func() (Reply, error) { return b.Ask(context.Background(), req) }},
		{"the ask command", func() (Reply, error) {
			return b.Command(context.Background(), req, "/framework", "ask what guarantees are offered?")
		}},
		{"the summary command", func() (Reply, error) { return b.Command(context.Background(), req, "/framework", "summary guarantees") }},
	} {
		t.Run(tt.name+" is told the index is being rebuilt", func(t *testing.T) {
			rep, err := tt.run()
			if err != nil {
				t.Fatalf("error %v, want a reply", err)
			}
			if diff := cmp.Diff(Reply{Text: RebuildingText}, rep); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
		})
	}
}
