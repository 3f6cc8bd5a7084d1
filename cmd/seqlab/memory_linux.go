package main

import "syscall"

// physicalMemory returns the machine's physical memory in bytes, or 0 when
// it cannot be read.
func physicalMemory() float64 {
	var info syscall.Sysinfo_t
	if syscall.Sysinfo(&info) != nil {
		return 0
	}
	return float64(info.Totalram) * float64(info.Unit)
}
