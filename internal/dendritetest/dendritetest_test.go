package dendritetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"framebot/internal/dendritetest"
)

// api performs one client-server API call and decodes the JSON answer.
func api(t *testing.T, srv *dendritetest.Server, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: HTTP %d, non-JSON body %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// mustAPI is api that fails the test on a non-200 answer.
func mustAPI(t *testing.T, srv *dendritetest.Server, method, path, token string, body any) map[string]any {
	t.Helper()
	code, out := api(t, srv, method, path, token, body)
	if code != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %v", method, path, code, out)
	}
	return out
}

// timelineBodies extracts the m.room.message bodies for roomID from a
// /sync response.
func timelineBodies(sync map[string]any, roomID string) []string {
	var bodies []string
	rooms, _ := sync["rooms"].(map[string]any)
	join, _ := rooms["join"].(map[string]any)
	room, _ := join[roomID].(map[string]any)
	timeline, _ := room["timeline"].(map[string]any)
	events, _ := timeline["events"].([]any)
	for _, e := range events {
		ev, _ := e.(map[string]any)
		if ev["type"] != "m.room.message" {
			continue
		}
		content, _ := ev["content"].(map[string]any)
		if b, ok := content["body"].(string); ok {
			bodies = append(bodies, b)
		}
	}
	return bodies
}

func TestServerEndToEnd(t *testing.T) {
	start := time.Now()
	srv := dendritetest.Start(t)
	t.Logf("dendrite ready at %s (server name %s) after %s", srv.URL(), srv.ServerName(), time.Since(start).Round(time.Millisecond))

	code, versions := api(t, srv, http.MethodGet, "/_matrix/client/versions", "", nil)
	if code != http.StatusOK || versions["versions"] == nil {
		t.Fatalf("versions: HTTP %d %v", code, versions)
	}

	// Open registration must be off: only the harness can create accounts.
	code, reg := api(t, srv, http.MethodPost, "/_matrix/client/v3/register", "", map[string]any{
		"username": "mallory", "password": "mallorypassword", "auth": map[string]any{"type": "m.login.dummy"},
	})
	if code == http.StatusOK {
		t.Fatalf("open registration unexpectedly succeeded: %v", reg)
	}

	// Rate limiting is off by default: a burst of requests all succeed.
	for i := 0; i < 10; i++ {
		if code, out := api(t, srv, http.MethodGet, "/_matrix/client/v3/register/available?username=free"+strconv.Itoa(i), "", nil); code != http.StatusOK {
			t.Fatalf("register/available #%d: HTTP %d %v", i, code, out)
		}
	}

	srv.CreateAccount(t, "alice", "alice-password-1", true)
	srv.CreateAccount(t, "bob", "bob-password-1", false)
	aliceID, aliceTok, aliceDev := srv.Login(t, "alice", "alice-password-1")
	bobID, bobTok, _ := srv.Login(t, "bob", "bob-password-1")
	if aliceID != srv.UserID("alice") || bobID != "@bob:"+srv.ServerName() {
		t.Fatalf("unexpected user IDs %q, %q", aliceID, bobID)
	}
	if aliceDev == "" {
		t.Fatal("login returned no device ID")
	}

	room := mustAPI(t, srv, http.MethodPost, "/_matrix/client/v3/createRoom", aliceTok, map[string]any{
		"preset": "private_chat", "name": "e2e",
	})
	roomID, _ := room["room_id"].(string)
	if roomID == "" {
		t.Fatalf("createRoom returned no room_id: %v", room)
	}
	roomPath := "/_matrix/client/v3/rooms/" + url.PathEscape(roomID)
	mustAPI(t, srv, http.MethodPost, roomPath+"/invite", aliceTok, map[string]any{"user_id": bobID})
	mustAPI(t, srv, http.MethodPost, roomPath+"/join", bobTok, map[string]any{})

	// Bob's initial sync establishes a since token.
	sync := mustAPI(t, srv, http.MethodGet, "/_matrix/client/v3/sync?timeout=0", bobTok, nil)
	since, _ := sync["next_batch"].(string)

	const msg = "hello from alice"
	sent := mustAPI(t, srv, http.MethodPut,
		roomPath+"/send/m.room.message/txn-"+strconv.FormatInt(time.Now().UnixNano(), 10),
		aliceTok, map[string]any{"msgtype": "m.text", "body": msg})
	if sent["event_id"] == nil {
		t.Fatalf("send returned no event_id: %v", sent)
	}

	deadline := time.Now().Add(30 * time.Second)
	for found := false; !found; {
		if time.Now().After(deadline) {
			t.Fatal("bob never saw alice's message in /sync")
		}
		sync = mustAPI(t, srv, http.MethodGet,
			"/_matrix/client/v3/sync?timeout=5000&since="+url.QueryEscape(since), bobTok, nil)
		since, _ = sync["next_batch"].(string)
		for _, b := range timelineBodies(sync, roomID) {
			found = found || b == msg
		}
	}

	// The homeserver goes away...
	srv.Stop(t)
	if srv.Running() {
		t.Fatal("Running() after Stop")
	}
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(srv.URL() + "/_matrix/client/versions"); err == nil {
		resp.Body.Close()
		t.Fatal("homeserver still answering after Stop")
	}
	srv.Stop(t) // idempotent

	// ...and comes back on the same port with the same data.
	oldURL := srv.URL()
	restart := time.Now()
	srv.Restart(t)
	t.Logf("restart took %s", time.Since(restart).Round(time.Millisecond))
	if srv.URL() != oldURL || !srv.Running() {
		t.Fatalf("after Restart: URL %q (was %q), running %v", srv.URL(), oldURL, srv.Running())
	}
	who := mustAPI(t, srv, http.MethodGet, "/_matrix/client/v3/account/whoami", aliceTok, nil)
	if who["user_id"] != aliceID {
		t.Fatalf("old access token after restart: whoami = %v", who)
	}
	if id, tok, _ := srv.Login(t, "alice", "alice-password-1"); id != aliceID || tok == "" {
		t.Fatalf("login after restart: %q %q", id, tok)
	}
	joined := mustAPI(t, srv, http.MethodGet, "/_matrix/client/v3/joined_rooms", bobTok, nil)
	rooms, _ := joined["joined_rooms"].([]any)
	if len(rooms) != 1 || rooms[0] != roomID {
		t.Fatalf("bob's joined rooms after restart: %v, want [%s]", rooms, roomID)
	}
}

func TestRateLimitingOption(t *testing.T) {
	srv := dendritetest.Start(t, dendritetest.WithRateLimiting(1, time.Minute))
	limited := false
	for i := 0; i < 5 && !limited; i++ {
		code, out := api(t, srv, http.MethodGet, "/_matrix/client/v3/register/available?username=free"+strconv.Itoa(i), "", nil)
		switch {
		case code == http.StatusTooManyRequests && out["errcode"] == "M_LIMIT_EXCEEDED":
			limited = true
		case code != http.StatusOK:
			t.Fatalf("register/available #%d: HTTP %d %v", i, code, out)
		}
	}
	if !limited {
		t.Fatal("WithRateLimiting(1, time.Minute) did not produce M_LIMIT_EXCEEDED")
	}
}
