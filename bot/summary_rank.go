package bot

import (
	"math"

	"framebot/internal/text"
)

// tfidf is a sparse, L2-normalised term vector of a sentence.
type tfidf map[string]float64

// LexRank settings.
const (
	// lexTeleport is the share of each step that jumps back to sentences in
	// proportion to their relevance (topic-biased LexRank); the rest follows
	// similarity links.
	lexTeleport = 0.2
	lexMaxIter  = 50
	lexEpsilon  = 1e-6
	// anaphoraPenalty lowers a sentence that opens with "he", "this"…,
	// which names nothing on its own.
	anaphoraPenalty = 0.8
	// leadBonus raises a sentence whose subject is the topic.
	leadBonus = 1.15
)

// rankSentences scores each candidate by relevance to the topic and by
// centrality among the candidates.
//
// Relevance is the sentence's share of the topic's information, with a
// little of its passage's. Centrality is topic-biased LexRank (Erkan and
// Radev 2004; Otterbacher et al. 2005): a random walk on the graph of
// TF-IDF cosine similarities between sentences that teleports to sentences
// in proportion to their relevance, so a sentence scores high when other
// relevant sentences say what it says. The score multiplies the two, so
// centrality reorders relevant sentences but can't promote an off-topic one.
func rankSentences(cands []*sentence) {
	if len(cands) == 0 {
		return
	}
	vectorize(cands)
	bias := relevanceBias(cands)
	sim, rowSum := similarityGraph(cands)
	scoreSentences(cands, lexRank(sim, rowSum, bias))
}

// relevanceBias sets each candidate's relevance and returns the
// teleport distribution of the walk: relevance, normalised to sum 1.
func relevanceBias(cands []*sentence) []float64 {
	bias := make([]float64, len(cands))
	var biasSum float64
	for i, s := range cands {
		s.rel = 0.8*s.cov + 0.2*s.passCov
		bias[i] = s.rel + 1e-3
		biasSum += bias[i]
	}
	for i := range bias {
		bias[i] /= biasSum
	}
	return bias
}

// similarityGraph returns the cosine similarities between candidates,
// without self-loops, and each row's sum.
func similarityGraph(cands []*sentence) (sim [][]float64, rowSum []float64) {
	n := len(cands)
	sim = make([][]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			c := cosine(cands[i].vec, cands[j].vec)
			sim[i][j], sim[j][i] = c, c
		}
	}
	rowSum = make([]float64, n)
	for i := range sim {
		for _, c := range sim[i] {
			rowSum[i] += c
		}
	}
	return sim, rowSum
}

// lexRank runs the biased random walk on the row-normalised graph sim to
// its stationary distribution (or lexMaxIter steps) and returns it.
func lexRank(sim [][]float64, rowSum, bias []float64) []float64 {
	p := append([]float64(nil), bias...)
	next := make([]float64, len(p))
	for range lexMaxIter {
		for j := range next {
			next[j] = lexTeleport * bias[j]
		}
		for i := range p {
			if rowSum[i] == 0 {
				// A sentence like no other hands its weight to the bias.
				for j := range next {
					next[j] += (1 - lexTeleport) * p[i] * bias[j]
				}
				continue
			}
			w := (1 - lexTeleport) * p[i] / rowSum[i]
			for j, c := range sim[i] {
				if c > 0 {
					next[j] += w * c
				}
			}
		}
		delta := 0.0
		for j := range p {
			delta += math.Abs(next[j] - p[j])
		}
		p, next = next, p
		if delta < lexEpsilon {
			break
		}
	}
	return p
}

// scoreSentences sets each candidate's score: its relevance times its
// centrality p (scaled to the most central), lowered for a sentence that
// opens with a pronoun and raised for one whose subject is the topic.
func scoreSentences(cands []*sentence, p []float64) {
	maxP := 0.0
	for _, v := range p {
		maxP = max(maxP, v)
	}
	for i, s := range cands {
		central := 0.0
		if maxP > 0 {
			central = p[i] / maxP
		}
		s.score = s.rel * (0.4 + 0.6*central)
		if s.anaphoric {
			s.score *= anaphoraPenalty
		}
		if s.leads {
			s.score *= leadBonus
		}
	}
}

// vectorize sets each candidate's TF-IDF vector, with IDF computed over the
// candidates (the cluster LexRank ranks) and log-scaled term frequency.
func vectorize(cands []*sentence) {
	tf := make([]map[string]int, len(cands))
	df := map[string]int{}
	for i, s := range cands {
		tf[i] = map[string]int{}
		for _, w := range contentWords(s.text) {
			if tf[i][w] == 0 {
				df[w]++
			}
			tf[i][w]++
		}
	}
	n := float64(len(cands))
	for i, s := range cands {
		v := tfidf{}
		var norm float64
		for w, c := range tf[i] {
			x := (1 + math.Log(float64(c))) * (1 + math.Log(n/float64(df[w])))
			v[w] = x
			norm += x * x
		}
		norm = math.Sqrt(norm)
		for w := range v {
			v[w] /= norm
		}
		s.vec = v
	}
}

// cosine is the cosine similarity of two normalised vectors.
func cosine(a, b tfidf) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var dot float64
	for w, x := range a {
		dot += x * b[w]
	}
	return dot
}

// contentWords splits s into lower-case words without stop words, each
// stemmed as the index stems it, for comparing sentences with one another.
func contentWords(s string) []string {
	var out []string
	for _, w := range text.Words(s) {
		if len(w) < 2 || stopWords[w] {
			continue
		}
		out = append(out, text.Stem(w))
	}
	return out
}

// stopWords are English function words, ignored when comparing sentences
// and when looking for the noun a figure counts. It is read-only.
var stopWords = lexiconOf(wordList(`a an the and or but nor so yet for of in on at to from by with without
		about above after against along among around as before behind below beneath beside between beyond
		during except inside into like near off onto out outside over past since through throughout till
		toward towards under until up upon via within
		i me my we us our you your he him his she her it its they them their this that these those
		who whom whose which what when where why how whether if then than there here
		is am are was were be been being have has had having do does did doing will would shall should
		can could may might must ought not no nor only own same such too very just also even still
		all any both each every few more most other some another much many several
		s t d ll m re ve don didn doesn isn aren wasn weren won wouldn couldn shouldn
		one per via amid while although though because unless whereas`))
