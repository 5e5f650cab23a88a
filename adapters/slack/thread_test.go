package slack

import (
	"strings"
	"testing"
)

// TestFollowUpIsAnsweredInTheThreadsContext asks, in one Slack thread, a
// question, a follow-up that only resolves through it, and a question on a
// new topic, which must not be read in the old one's context.
func TestFollowUpIsAnsweredInTheThreadsContext(t *testing.T) {
	h := start(t, harnessOpts{threads: true})
	const root = "1700000700.000100"
	h.mention("C1", root, "", "What does RUSI conclude about the Coalition of the Willing?")
	h.f.waitPosts(1)
	h.message(map[string]any{"user": "UALICE", "text": "Who reported that?", "ts": "1700000701.000100", "thread_ts": root, "channel": "C1", "channel_type": "channel"})
	follow := h.f.waitPosts(2)[1]
	if got := follow.allText(t); follow.Thread != root || !strings.Contains(got, "_in the context of: ") || !strings.Contains(got, "Edward Arnold") {
		t.Errorf("follow-up reply in thread %q, want %s, the context and the RUSI conclusion:\n%s", follow.Thread, root, got)
	}
	h.message(map[string]any{"user": "UALICE", "text": "What kind of security guarantees will Russia accept?", "ts": "1700000702.000100", "thread_ts": root, "channel": "C1", "channel_type": "channel"})
	other := h.f.waitPosts(3)[2]
	if got := other.allText(t); strings.Contains(got, "in the context of") || !strings.Contains(got, "*Q:* What kind of security guarantees") {
		t.Errorf("a new topic in the thread was answered in the old one's context:\n%s", got)
	}
	// The same follow-up outside the thread stands alone.
	h.mention("C1", "1700000800.000100", "", "Who reported that?")
	alone := h.f.waitPosts(4)[3]
	if got := alone.allText(t); strings.Contains(got, "in the context of") || strings.Contains(got, "Edward Arnold") {
		t.Errorf("the follow-up asked alone borrowed a context:\n%s", got)
	}
}
