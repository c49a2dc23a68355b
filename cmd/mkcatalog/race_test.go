//go:build race

package main

// The race detector slows regenerating the catalogue twentyfold, and the
// generator runs on one goroutine: there is nothing for it to find there.
func init() { raceEnabled = true }
