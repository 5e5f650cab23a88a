package bot

import (
	"context"
	"slices"
	"testing"
)

func TestAskedBy(t *testing.T) {
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
		{"What is neuroscience?", definitionAnswer},
		{"who was Adolph Sax", definitionAnswer},
		{`What is "First-order logic"?`, definitionAnswer},
		{"What is the population of Oslo?", quantityAnswer}, // quantity first
		{"What was Oxford known for?", anyAnswer},
		{"What is the climate like?", anyAnswer},
		{"What is the last league listed in the article?", anyAnswer},
		{"What is neuroscience about?", anyAnswer},
	} {
		if got := askedBy(tt.q).typ; got != tt.want {
			t.Errorf("askedBy(%q).typ = %d; want %d", tt.q, got, tt.want)
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

func TestDefinitionSubject(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"What is neuroscience?", []string{"neurosci"}},
		{"What are GUIs?", []string{"gui"}},
		{"Who was Adolph Sax?", []string{"adolph", "sax"}},
		{"What is a declension", []string{"declens"}},
		{`What are "true compound surnames"?`, []string{"true", "compound", "surnam"}},
		{"What is İzmir?", []string{"izmir"}},
		{"What is the Pacific Ring of Fire?", nil},
		{"Who rebuilt the lighthouse?", nil},
		{"What did the treaty say?", nil},
		{"What does forename mean?", []string{"forenam"}},
		{`What does the term "SLA" mean?`, []string{"sla"}},
		{"What is meant by force majeure?", []string{"forc", "majeur"}},
		{"What is the definition of religion?", []string{"religion"}},
		{"What is amorality defined as?", []string{"amor"}},
		{"How is a surname defined?", []string{"surnam"}},
		{"Define confidential information.", []string{"confidenti", "inform"}},
		{"What did Reis mean?", nil},
		{"What does Ryan mean in Irish Gaelic?", nil},
		{"What is the definition of the term used by the court in its ruling?", nil},
	} {
		if got := definitionSubject(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("definitionSubject(%q) = %q; want %q", tt.q, got, tt.want)
		}
	}
}

func TestDefinesSubject(t *testing.T) {
	for _, tt := range []struct {
		subject, passage string
		want             bool
	}{
		{"neuroscience", "Neuroscience is the scientific study of the nervous system.", true},
		{"surname", "It has a history. A surname or family name is a name added to a given name.", true},
		{"neurons", "Neurons are cells specialized for communication.", true},
		{"neuron", "Neurons are cells specialized for communication.", true},
		{"confidential information", "Definitions. “Confidential Information” means any data marked as such.", true},
		{"adolph sax", "Adolph Sax, a Belgian instrument maker, was born in Dinant.", true},
		{"neuroscience", "Organizations devoted to neuroscience include the IBRO.", false},
		{"neuroscience", "Neuroscience departments and the institutes that fund the research across the country are growing.", false},
		{"neuroscience", "The history of neuroscience is long.", false},
		{"lens", "", false},
		{"İzmir", "İzmir is a city on the Aegean coast.", true},
		// A singular copula says what the subject is when it names a class.
		{"tin", "Tin is a malleable, ductile and highly crystalline silvery-white metal.", true},
		{"tin", "Tin is also a metal.", true},
		{"tin", "Tin is one of the elements.", true},
		{"tin", "Tin is most commonly alloyed with copper.", false},
		{"tin", "Tin is often recovered from granules washed downstream.", false},
		{"adolph sax", "Adolph Sax was born in Dinant.", false},
		{"tin", "Tin, a post-transition metal, melts at 232 °C.", true},
	} {
		subject := definitionSubject("What is " + tt.subject + "?")
		if subject == nil {
			t.Fatalf("no subject in %q", tt.subject)
		}
		if got := definesSubject(subject, tt.passage); got != tt.want {
			t.Errorf("definesSubject(%q, %q) = %v; want %v", tt.subject, tt.passage, got, tt.want)
		}
	}
}

// A passage defining what a question asks about goes before one scored a
// little higher that only mentions it, or that says something about it
// with "is" ("Tin is most commonly alloyed…") without naming what it is
// ("Tin is a … metal").
func TestAnswerPrefersThePassageDefiningTheSubject(t *testing.T) {
	neuro := []Term{{Text: "neuroscience", Key: "neurosci", IDF: 3}}
	mention := Hit{Passage: Passage{Text: "Major organizations devoted to neuroscience include the IBRO and the neuroscience society.", Doc: "a", Score: 2.4,
		Highlights: []Span{{31, 43}}}, Matched: []int{0}}
	neuroDef := Hit{Passage: Passage{Text: "Neuroscience is the scientific study of the nervous system.", Doc: "b", Score: 2,
		Highlights: []Span{{0, 12}}}, Matched: []int{0}}
	tin := []Term{{Text: "tin", Key: "tin", IDF: 3}}
	statement := Hit{Passage: Passage{Text: "Tin is most commonly alloyed with copper; pewter is mostly tin.", Doc: "a", Score: 2.4,
		Highlights: []Span{{0, 3}}}, Matched: []int{0}}
	tinDef := Hit{Passage: Passage{Text: "Tin is a malleable, ductile and highly crystalline silvery-white metal.", Doc: "b", Score: 2,
		Highlights: []Span{{0, 3}}}, Matched: []int{0}}
	for _, tt := range []struct {
		q, want string
		opts    AnswerOptions
		res     *SearchResult
	}{
		{"What is neuroscience?", "b", AnswerOptions{}, &SearchResult{Terms: neuro, Hits: []Hit{mention, neuroDef}}},
		{"Which organizations study neuroscience?", "a", AnswerOptions{}, &SearchResult{Terms: neuro, Hits: []Hit{mention, neuroDef}}},
		{"What is neuroscience?", "a", AnswerOptions{TypeBoost: -1}, &SearchResult{Terms: neuro, Hits: []Hit{mention, neuroDef}}},
		{"What is tin?", "b", AnswerOptions{}, &SearchResult{Terms: tin, Hits: []Hit{statement, tinDef}}},
		{"What does tin mean?", "b", AnswerOptions{}, &SearchResult{Terms: tin, Hits: []Hit{statement, tinDef}}},
		{"What is tin?", "a", AnswerOptions{TypeBoost: -1}, &SearchResult{Terms: tin, Hits: []Hit{statement, tinDef}}},
	} {
		a := NewAnswerer(fixed(tt.res), tt.opts)
		ans, err := a.Ask(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Answered || ans.Passages[0].Doc != tt.want {
			t.Errorf("%q (%+v): first quote %+v; want one from %s", tt.q, tt.opts, ans.Passages, tt.want)
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

// FuzzDefinition: any question and passage (both outside input) are
// looked at without a panic; a subject has 1 to maxSubjectWords stems.
// (text.FirstWords, which both read with, has FuzzWords.)
func FuzzDefinition(f *testing.F) {
	f.Add("What is neuroscience?", "Neuroscience is the scientific study of the nervous system.")
	f.Add("Who was Adolph Sax?", "Adolph Sax, a Belgian instrument maker, was born in Dinant.")
	f.Add(`What are "true compound surnames"?`, "“True compound surnames” are passed on.")
	f.Add("What is İzmir?", "İzmir is a city. ")
	f.Add("what is ?", "is is is")
	f.Fuzz(func(t *testing.T, q, p string) {
		subject := definitionSubject(q)
		if subject != nil {
			if len(subject) == 0 || len(subject) > maxSubjectWords {
				t.Fatalf("definitionSubject(%q) = %q", q, subject)
			}
			definesSubject(subject, p)
		}
	})
}
