// Package sim simulates a day of action: many devices, each with its own
// encrypted store and sync engine, record encounters and push them to one
// server, and an audit then checks that the server holds every
// acknowledged record exactly once, unaltered.
package sim
