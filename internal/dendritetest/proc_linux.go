//go:build linux

package dendritetest

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to kill the homeserver if the test binary
// dies without running its cleanups (e.g. after a test timeout panic).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
