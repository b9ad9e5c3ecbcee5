//go:build !unix

package main

func syscallUmask(m int) int { return 0 }
