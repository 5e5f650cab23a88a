//go:build tools

// Package tools pins the Dendrite Matrix homeserver binaries used by the
// end-to-end test harness in framebot/internal/dendritetest. It is never
// compiled into anything; the blank imports only keep `go mod tidy` from
// dropping the dependencies.
package tools

import (
	_ "github.com/element-hq/dendrite/cmd/create-account"
	_ "github.com/element-hq/dendrite/cmd/dendrite"
	_ "github.com/element-hq/dendrite/cmd/generate-config"
)
