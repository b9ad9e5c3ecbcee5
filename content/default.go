package content

import (
	"sync"

	"github.com/waymark-app/waymark/assets"
)

// Default returns the pack embedded in the app (assets.Content), parsed
// once. It is what a device uses until it pulls a newer pack.
func Default() (*Pack, error) {
	return defaultPack()
}

var defaultPack = sync.OnceValues(func() (*Pack, error) {
	return Parse(assets.Content)
})
