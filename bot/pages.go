package bot

import (
	"fmt"

	"framebot/internal/text"
)

// PageRef is the page of a citation, ", p. 4", or "" for a passage of an
// unpaged document; every adapter uses it, so that every platform cites
// pages alike.
func PageRef(page int) string {
	if page <= 0 {
		return ""
	}
	return fmt.Sprintf(", p. %d", page)
}

// PageCount is ", 30 pages" for a paged document in a list of sources, ""
// for the others.
func PageCount(pages int) string {
	if pages <= 0 {
		return ""
	}
	return ", " + text.Count(pages, "page")
}
