package client

import (
	"testing"
	"time"
)

func TestBatchSizer(t *testing.T) {
	const quick = time.Second
	type step struct {
		rtt    time.Duration
		failed bool
		want   int // entries after the step
	}
	tests := []struct {
		name              string
		start, lo, hi     int
		steps             []step
		wantBytesAtTheEnd int
	}{
		{"quick pushes double up to the wire's maximum", 200, 25, 1000, []step{
			{100 * time.Millisecond, false, 400},
			{300 * time.Millisecond, false, 800},
			{500 * time.Millisecond, false, 1000},
			{900 * time.Millisecond, false, 1000},
		}, 4 << 20},
		{"a failure halves", 800, 25, 1000, []step{
			{0, true, 400},
			{10 * time.Millisecond, true, 200},
		}, 4 << 20 * 200 / 1000},
		{"a slow round trip halves, down to the floor", 200, 25, 1000, []step{
			{3 * time.Second, false, 100},
			{5 * time.Second, false, 50},
			{2*quick + 1, false, 25},
			{10 * time.Second, false, 25},
			{0, true, 25},
		}, 4 << 20 * 25 / 1000},
		{"a round trip between the quick mark and twice it keeps the size", 400, 25, 1000, []step{
			{quick, false, 400},
			{1500 * time.Millisecond, false, 400},
			{2 * quick, false, 400},
		}, 4 << 20 * 400 / 1000},
		{"grows again after a cut", 1000, 25, 1000, []step{
			{0, true, 500},
			{0, true, 250},
			{200 * time.Millisecond, false, 500},
			{200 * time.Millisecond, false, 1000},
		}, 4 << 20},
		{"a start below the floor lowers the floor", 10, 25, 1000, []step{
			{0, true, 10},
			{100 * time.Millisecond, false, 20},
			{0, true, 10},
		}, 4 << 20 * 10 / 1000},
		{"a start above the ceiling raises it", 300, 25, 200, []step{
			{100 * time.Millisecond, false, 300},
			{0, true, 150},
			{100 * time.Millisecond, false, 300},
		}, 4 << 20},
		{"bounds equal to the start fix the size", 200, 200, 200, []step{
			{100 * time.Millisecond, false, 200},
			{0, true, 200},
			{5 * time.Second, false, 200},
		}, 4 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBatchSizer(tt.start, tt.lo, tt.hi, 4<<20, quick)
			if n, _ := b.limits(); n != tt.start {
				t.Fatalf("first push: %d entries, want %d", n, tt.start)
			}
			for i, s := range tt.steps {
				b.observe(s.rtt, s.failed)
				if n, _ := b.limits(); n != s.want {
					t.Fatalf("after step %d (round trip %v, failed %v): %d entries, want %d", i, s.rtt, s.failed, n, s.want)
				}
			}
			if _, bytes := b.limits(); bytes != tt.wantBytesAtTheEnd {
				t.Errorf("bytes of bodies allowed: %d, want %d", bytes, tt.wantBytesAtTheEnd)
			}
		})
	}
}
