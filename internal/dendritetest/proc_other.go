//go:build !linux

package dendritetest

import "os/exec"

// setProcAttr does nothing on platforms without a parent-death signal.
func setProcAttr(*exec.Cmd) {}
