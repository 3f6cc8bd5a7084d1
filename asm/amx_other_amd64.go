//go:build amd64 && gc && !purego && !noasm && !linux

package asm

import "errors"

// requestAMX fails: only Linux is known here to grant the AMX tile state.
func requestAMX() error {
	return errors.New("AMX tiles are used on Linux only")
}
