package bot

import (
	"context"
	"testing"
)

func TestTypeOf(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want answerType
	}{
		{"When was the lighthouse rebuilt?", timeAnswer},
		{"  when did the truce start", timeAnswer},
		{"In what year did the colony fall?", timeAnswer},
		{"Which century saw the first bridge?", timeAnswer},
		{"How long ago did the war end?", timeAnswer},
		{"How many senators does each state elect?", quantityAnswer},
		{"How long is the penalty for fighting?", quantityAnswer},
		{"What percentage of cases are preventable?", quantityAnswer},
		{"what is the population of the city", quantityAnswer},
		{"Who rebuilt the lighthouse?", anyAnswer},
		{"Where is the lighthouse?", anyAnswer},
		{"boundary layer transition on cones", anyAnswer},
		{"What happens when the guarantee fails?", anyAnswer}, // "when" not asking
		{"Describe how much of the plan is funded", quantityAnswer},
	} {
		if got := typeOf(tt.q); got != tt.want {
			t.Errorf("typeOf(%q) = %d; want %d", tt.q, got, tt.want)
		}
	}
}

func TestHasType(t *testing.T) {
	for _, tt := range []struct {
		typ  answerType
		text string
		want bool
	}{
		{timeAnswer, "The lighthouse was rebuilt in 1759.", true},
		{timeAnswer, "It happened in the 1990s.", true},
		{timeAnswer, "The vote was held on 5 April.", true},
		{timeAnswer, "The vote was held on 5 March.", true},
		{timeAnswer, "It was founded in 300 BC.", true},
		{timeAnswer, "In the fifth century the city grew.", true},
		{timeAnswer, "Troops may march through the pass.", false},
		{timeAnswer, "The tower is 120 feet tall.", false},
		{timeAnswer, "There were 20000 soldiers.", false},
		{quantityAnswer, "The tower is 120 feet tall.", true},
		{quantityAnswer, "Each state elects twelve senators.", true},
		{quantityAnswer, "About 90% of cases could be prevented.", true},
		{quantityAnswer, "One of the towers burned down.", false},
		{quantityAnswer, "No figure is given.", false},
		{anyAnswer, "It was rebuilt in 1759.", false},
	} {
		if got := hasType(tt.typ, tt.text); got != tt.want {
			t.Errorf("hasType(%d, %q) = %v; want %v", tt.typ, tt.text, got, tt.want)
		}
	}
}

// A passage holding a word of the kind the question asks for (a year for
// "when") ranks above one scored a little higher that holds none; a
// question of no answer type keeps the scores' order, and so does
// TypeBoost turned off.
func TestAnswerPrefersThePassageOfTheAskedType(t *testing.T) {
	terms := []Term{{Text: "lighthouse", Key: "lighthous", IDF: 3}, {Text: "rebuilt", Key: "rebuilt", IDF: 3}}
	undated := Hit{Passage: Passage{Text: "The lighthouse was rebuilt by the harbour trust.", Doc: "a", Score: 2.2,
		Highlights: []Span{{4, 14}, {19, 26}}}, Matched: []int{0, 1}}
	dated := Hit{Passage: Passage{Text: "The lighthouse was rebuilt in 1759.", Doc: "b", Score: 2,
		Highlights: []Span{{4, 14}, {19, 26}}}, Matched: []int{0, 1}}
	for _, tt := range []struct {
		name, q string
		opts    AnswerOptions
		want    string
	}{
		{"a time asked for", "When was the lighthouse rebuilt?", AnswerOptions{}, "b"},
		{"no answer type", "Who rebuilt the lighthouse?", AnswerOptions{}, "a"},
		{"boost turned off", "When was the lighthouse rebuilt?", AnswerOptions{TypeBoost: -1}, "a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnswerer(fixed(&SearchResult{Terms: terms, Hits: []Hit{undated, dated}}), tt.opts)
			ans, err := a.Ask(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Answered || len(ans.Passages) == 0 {
				t.Fatalf("not answered: %+v", ans)
			}
			if got := ans.Passages[0].Doc; got != tt.want {
				t.Errorf("first quote from %s; want %s", got, tt.want)
			}
			hits, err := a.Ranked(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := hits[0].Doc; got != tt.want {
				t.Errorf("Ranked puts %s first; want %s", got, tt.want)
			}
		})
	}
}
