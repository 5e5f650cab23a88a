package matrix

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"maunium.net/go/mautrix"
)

func TestRetryPolicy(t *testing.T) {
	limited := mautrix.HTTPError{
		Response:  &http.Response{StatusCode: 429},
		RespError: &mautrix.RespError{ErrCode: "M_LIMIT_EXCEEDED", StatusCode: 429, ExtraData: map[string]any{"retry_after_ms": float64(1500)}},
	}
	noDelay := mautrix.HTTPError{
		Response:  &http.Response{StatusCode: 429},
		RespError: &mautrix.RespError{ErrCode: "M_LIMIT_EXCEEDED", StatusCode: 429},
	}
	network := mautrix.HTTPError{Message: "request error", WrappedError: errors.New("connection refused")}
	forbidden := mautrix.HTTPError{Response: &http.Response{StatusCode: 403}, RespError: &mautrix.RespError{ErrCode: "M_FORBIDDEN", StatusCode: 403}}
	tests := []struct {
		name          string
		err           error
		wantWait      time.Duration
		wantLimited   bool
		wantTransient bool
	}{
		{"M_LIMIT_EXCEEDED waits retry_after_ms", fmt.Errorf("send: %w", limited), 1500 * time.Millisecond, true, true},
		{"M_LIMIT_EXCEEDED without a delay waits a second", noDelay, time.Second, true, true},
		{"a network error is retried with backoff", network, 0, false, true},
		{"M_FORBIDDEN is not retried", forbidden, 0, false, false},
		{"a permanent error is not retried", permanent(network), 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := retryAfter(tt.err)
			got := []any{d, ok, transient(tt.err)}
			want := []any{tt.wantWait, tt.wantLimited, tt.wantTransient}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	a := &Adapter{maxBackoff: 4 * time.Second}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, a.backoff(n))
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
