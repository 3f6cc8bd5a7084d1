//go:build amd64 && gc && !purego && !noasm

package asm

import (
	"fmt"
	"syscall"
)

// requestAMX asks Linux for permission to use the AMX tile data
// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without it the
// first tile instruction raises SIGILL. The permission covers the whole
// process, its threads present and future.
func requestAMX() error {
	const (
		archReqXcompPerm  = 0x1023
		xfeatureXtiledata = 18
	)
	if _, _, errno := syscall.Syscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0); errno != 0 {
		return fmt.Errorf("the operating system refused the AMX tile state: %w", errno)
	}
	return nil
}
