package index

import "testing"

// A name typed without its accents finds the passage that writes them,
// and the other way round, and the highlight marks the word as written.
func TestAQuestionWithoutAccentsFindsTheWordWithThem(t *testing.T) {
	ix := openWith(t,
		doc(t, "quake", "Earthquake report",
			"The Pétionville school collapse was due to obvious negligence.",
			"Rebuilding in Sao Paulo took three years."),
		doc(t, "other", "Other", "The school collapse in another city had other causes."),
	)
	for _, tt := range []struct{ q, text, marked string }{
		{"Why did the Petionville school collapse?", "The Pétionville school collapse was due to obvious negligence.", "Pétionville"},
		{"How long did rebuilding in São Paulo take?", "Rebuilding in Sao Paulo took three years.", "Sao"},
	} {
		res := firstHitMarks(t, ix, tt.q, tt.text, tt.marked)
		for _, term := range res.Terms {
			if (term.Text == "Petionville" || term.Text == "São") && (term.Missing || term.Corrected != "") {
				t.Errorf("%q: term %q matched as missing or corrected (%+v), want found as it is", tt.q, term.Text, term)
			}
		}
	}
}
