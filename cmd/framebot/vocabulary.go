package main

import (
	"fmt"

	"framebot/bot"
)

// wireSummaries gives b the proposals list and the summarizer of the
// configured vocabulary, sharing one ProposalFinder so that the list warmed
// at start serves both the proposals command and the summaries'
// suggestions.
func wireSummaries(b *bot.Bot, s bot.Searcher, l bot.PassageLister, v bot.Vocabulary) {
	b.Proposals = bot.NewProposalFinder(l, v)
	b.Summarizer = bot.NewSummarizer(s, b.Proposals, bot.SummaryOptions{Vocabulary: v})
}

// validateVocabulary returns one error per bad entry of the vocabulary
// section, each naming its key ("vocabulary.proposal_heads: …").
func validateVocabulary(v bot.Vocabulary) []error {
	err := v.Validate()
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, len(list))
	for i, e := range list {
		out[i] = fmt.Errorf("vocabulary.%w", e)
	}
	return out
}
