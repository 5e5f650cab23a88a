package bot

import (
	"fmt"
	"strings"

	"framebot/internal/text"
)

// PassageRef is where a passage sits in its document, as its citation
// says it after the title: its heading and page (", § 4.2 Connection
// limits, p. 4"), either, or "". Every adapter uses it, so that every
// platform cites passages alike. It is plain text holding corpus text,
// which each adapter escapes for its markup.
func PassageRef(p Passage) string { return sectionRef(p.Section) + pageRef(p.Page) }

// pageRef is the page of a citation, ", p. 4", or "" for a passage of an
// unpaged document.
func pageRef(page int) string {
	if page <= 0 {
		return ""
	}
	return fmt.Sprintf(", p. %d", page)
}

// sectionRef is the heading of a citation, ", § 4.2 Connection limits", or
// "" for a passage under none. The heading is corpus text: SafeName shows
// its control characters, and a heading of more than maxSectionRunes is
// cut.
func sectionRef(section string) string {
	section = strings.TrimSpace(section)
	if section == "" {
		return ""
	}
	return ", § " + SafeName(text.Truncate(section, maxSectionRunes))
}

// maxSectionRunes is the longest heading a citation shows whole.
const maxSectionRunes = 80

// PageCount is ", 30 pages" for a paged document in a list of sources, ""
// for the others.
func PageCount(pages int) string {
	if pages <= 0 {
		return ""
	}
	return ", " + text.Count(pages, "page")
}
