package bot

import "context"

// DocChange is one document added, updated or removed in the corpus.
type DocChange struct {
	// Kind is "added", "updated" or "removed".
	Kind     string `json:"event"`
	Doc      string `json:"doc"`
	Title    string `json:"title"`
	Source   string `json:"source"`
	URL      string `json:"url,omitempty"`
	Passages int    `json:"passages"`
	// Opening is the document's first lines (empty for a removal).
	Opening string `json:"opening,omitempty"`
}

// Announcement tells subscribed conversations what changed in the corpus.
// Several changes at once make one digest.
type Announcement struct {
	Changes []DocChange `json:"changes"`
}

// Notifier delivers announcements to conversations of one platform.
type Notifier interface {
	// Platform names the platform, as in Request.Platform and the
	// subscription store.
	Platform() string
	// Notify posts a to the conversation channel. It returns an error when
	// the platform refuses the message or can't be reached.
	Notify(ctx context.Context, channel string, a Announcement) error
}
