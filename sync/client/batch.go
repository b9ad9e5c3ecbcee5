package client

import "time"

// batchSizer chooses how many entries the next push carries, the way TCP
// slow start chooses a window: a push whose round trip was quick doubles
// the next one, up to hi; a failed push, or one slower than twice the
// quick mark, halves it, down to lo. A round trip in between keeps the
// size, so that a link whose pace sits near the mark does not see-saw.
// A large batch on a fast link means fewer requests and fewer disk syncs
// on both sides for the same entries; a small one on a slow or cut link
// means little to send again. The bytes of bodies allowed grow and shrink
// with the entries, in proportion (maxBytes at hi entries).
type batchSizer struct {
	entries  int           // the next push's entries
	lo, hi   int           // entries at least, at most
	maxBytes int           // bodies allowed when entries is hi
	quick    time.Duration // a round trip under this grows the batch
}

// newBatchSizer returns a sizer that starts at start entries and stays
// within [lo, hi], widened to take start in.
func newBatchSizer(start, lo, hi, maxBytes int, quick time.Duration) *batchSizer {
	return &batchSizer{entries: start, lo: min(lo, start), hi: max(hi, start), maxBytes: maxBytes, quick: quick}
}

// limits returns the entries and bytes of bodies the next push may carry.
func (b *batchSizer) limits() (entries, bytes int) {
	return b.entries, int(int64(b.maxBytes) * int64(b.entries) / int64(b.hi))
}

// observe adjusts the size after a push that took rtt, or failed.
func (b *batchSizer) observe(rtt time.Duration, failed bool) {
	switch {
	case failed || rtt > 2*b.quick:
		b.entries = max(b.entries/2, b.lo)
	case rtt < b.quick:
		b.entries = min(b.entries*2, b.hi)
	}
}
