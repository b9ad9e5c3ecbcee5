// Package wire defines version 2 of the Waymark sync protocol, spoken by
// devices and the server over HTTPS.
//
// Every request but health and enrolment is signed with the device's key
// (package sync/auth); the server takes the device, and so its account,
// from the signature and never from a body, and answers only what that
// account may see. Enrolment (POST PathEnrol) binds a device's key to an
// account with a one-time code that never travels.
//
// A device keeps an outbox: every record it finalises becomes an Entry with
// the next number of the device's own sequence, counting from 1 with no
// gaps. Entries are identified by (device id, sequence); each names the
// record it carries (a UUIDv7) and holds the record document as its body.
//
// Push (POST PathPush, PushRequest → PushResponse) sends entries in
// sequence order. The server stores each entry at most once and answers
// with Ack, the highest sequence up to which it holds every entry of that
// device durably (written and synced to disk). Sending the same entries
// again gets the same answer and changes nothing. An entry whose record id
// the server already holds with a different body is not stored over it:
// it is kept aside for review and listed in Rejected with CodeConflict.
// An entry reusing a sequence number for different content is kept aside
// the same way, with CodeSequenceReused. Rejected entries still count
// towards Ack, so a device never resends them forever.
//
// Pull (POST PathPull, PullRequest → PullResponse) returns the operations
// the server has stored after a cursor that the account may read, in
// order, never the device's own, and the version of the content pack it
// publishes. A device saves the returned cursor and sends
// it next time.
//
// Every request and response carries the header VersionHeader with the
// protocol version; the server refuses any other version with
// CodeProtocolVersion, and the device tells its user to update. Request
// bodies are JSON, gzip-compressed (Content-Encoding: gzip); responses are
// gzip-compressed when the request accepts it. A failed request gets a
// 4xx or 5xx status and an ErrorResponse body whose Code says what went
// wrong. The golden files in testdata freeze the JSON form of every message;
// docs/protocol.md describes the protocol for people.
package wire
