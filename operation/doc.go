// Package operation is a day of action: its briefing, teams, partner
// agencies, interpreters on call and the premises to visit, as a
// supervisor writes it on the server and every assigned device reads it,
// offline. Plain Go: no storage, no HTTP, no interface.
package operation
