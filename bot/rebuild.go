package bot

import "errors"

// ErrRebuilding is returned (wrapped) by a Searcher whose index was found
// damaged and is being rebuilt from the corpus in the background. The bot
// answers RebuildingText instead of failing.
var ErrRebuilding = errors.New("the index is being rebuilt")

// RebuildingText is the reply to a question asked while the index is being
// rebuilt.
const RebuildingText = "The document index is being rebuilt; try again in a moment."
