package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"framebot/bot"
)

func TestVocabularyConfig(t *testing.T) {
	load := func(t *testing.T, yaml string) Config {
		t.Helper()
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	t.Run("a list given replaces its default and the others keep theirs", func(t *testing.T) {
		cfg := load(t, "vocabulary:\n  proposal_heads: [act, bill, treaty]\n  generic_modifiers: []\n")
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		v := cfg.Vocabulary.WithDefaults()
		if diff := cmp.Diff([]string{"act", "bill", "treaty"}, v.ProposalHeads); diff != "" {
			t.Errorf("proposal_heads (-want +got):\n%s", diff)
		}
		if len(v.GenericModifiers) != 0 {
			t.Errorf("generic_modifiers: [] kept %d words", len(v.GenericModifiers))
		}
		if diff := cmp.Diff(bot.DefaultVocabulary().UncountedNouns, v.UncountedNouns); diff != "" {
			t.Errorf("uncounted_nouns left out lost its default (-want +got):\n%s", diff)
		}
	})
	t.Run("bad entries are refused with what to fix", func(t *testing.T) {
		cfg := load(t, "vocabulary:\n  proposal_heads: []\n  counted_units: [\"Point\", \"two words\"]\n")
		err := cfg.Validate()
		if err == nil {
			t.Fatal("Validate accepted a bad vocabulary")
		}
		for _, want := range []string{
			`vocabulary.proposal_heads: list at least one noun`,
			`vocabulary.counted_units: "Point" is not one lower-case word`,
			`vocabulary.counted_units: "two words" is not one lower-case word`,
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
	})
}

// The configured vocabulary reaches the proposals command: with "act" as
// a head, the Clean Air Act is a proposal; by default it is not.
func TestVocabularyReachesTheProposalsCommand(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	writeDoc(t, dir, "air.md", "Air quality", "Congress passed the Clean Air Act in 1963. The Clean Air Act was amended in 1970 and again in 1990.")
	for _, tt := range []struct {
		name  string
		heads []string
		want  bool
	}{
		{"the default vocabulary", nil, false},
		{"a vocabulary with act", []string{"act"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Corpus, cfg.DataDir = dir, t.TempDir()
			cfg.Vocabulary.ProposalHeads = tt.heads
			a, _, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			rep, err := a.bot.Command(ctx, bot.Request{}, "framebot", "proposals")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(rep.Text, "Clean Air Act — 1 document, 2 mentions"); got != tt.want {
				t.Errorf("lists the Clean Air Act: %v, want %v:\n%s", got, tt.want, rep.Text)
			}
		})
	}
}
