//go:build !linux

package main

// physicalMemory returns 0: outside Linux the physical memory is not read,
// and checkMemory checks nothing.
func physicalMemory() float64 { return 0 }
