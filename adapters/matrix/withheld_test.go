package matrix

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

func TestDecryptReason(t *testing.T) {
	withheld := func(code event.RoomKeyWithheldCode) error {
		return fmt.Errorf("failed to get group session: %w", &event.RoomKeyWithheldEventContent{Code: code})
	}
	type result struct {
		Reason string
		Notify bool
	}
	tests := []struct {
		name    string
		err     error
		missing bool
		want    result
	}{
		{"a key withheld from unverified devices is named", withheld(event.RoomKeyWithheldUnverified), false, result{"m.unverified", true}},
		{"a blacklisted device is named", withheld(event.RoomKeyWithheldBlacklisted), false, result{"m.blacklisted", true}},
		{"a key that never came is a missing session", errors.New("no session"), true, result{reasonMissing, true}},
		{"any other failure is logged but not answered", errors.New("bad mac"), false, result{reasonOther, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, notify := decryptReason(tt.err, tt.missing)
			if diff := cmp.Diff(tt.want, result{reason, notify}); diff != "" {
				t.Errorf("decryptReason() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNoticeDue: a sender is told at most once an hour; others are not
// held back by them.
func TestNoticeDue(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	a := &Adapter{now: func() time.Time { return now }}
	alice, bob := id.UserID("@alice:x"), id.UserID("@bob:x")
	steps := []struct {
		after  time.Duration
		sender id.UserID
		want   bool
	}{
		{0, alice, true},
		{time.Minute, alice, false},
		{0, bob, true},
		{58 * time.Minute, alice, false},
		{time.Minute, alice, true},
		{0, alice, false},
	}
	var got, want []bool
	for _, s := range steps {
		now = now.Add(s.after)
		got = append(got, a.noticeDue(s.sender))
		want = append(want, s.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("noticeDue() over time mismatch (-want +got):\n%s", diff)
	}
}
