package content

import (
	"strings"
	"testing"
)

// TestDecodeRefusesWhatEncodingJSONKeeps: a pack file with a duplicate
// key or invalid UTF-8 is a problem, with its line and column.
func TestDecodeRefusesWhatEncodingJSONKeeps(t *testing.T) {
	for name, data := range map[string]string{
		"duplicate key":  "{\n  \"id\": \"a\",\n  \"id\": \"b\"\n}",
		"invalid UTF-8":  "{\"id\": \"a\xff\"}",
		"lone surrogate": `{"id": "\ud800"}`,
	} {
		var ps problems
		var v struct {
			ID string `json:"id"`
		}
		decode("pack.json", []byte(data), &v, &ps)
		if len(ps.list) != 1 || !strings.Contains(ps.list[0].Msg, "line") {
			t.Errorf("%s: problems %+v", name, ps.list)
		}
	}
}
