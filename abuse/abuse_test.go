package abuse

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAbuseShort is make abuse's short version: the real waymark-server,
// built from this tree, attacked by every attack at a small scale.
func TestAbuseShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := filepath.Join(t.TempDir(), "waymark-server")
	build := exec.Command("go", "build", "-o", bin, "../cmd/waymark-server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build waymark-server: %v\n%s", err, out)
	}
	var log strings.Builder
	rep, err := Run(context.Background(), Options{ServerBin: bin, Short: true, Dir: t.TempDir(), Log: &log})
	var out strings.Builder
	rep.Print(&out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !rep.OK() {
		b, _ := os.ReadFile(filepath.Join(rep.Dir, "server.log"))
		t.Fatalf("attacks got through, or the canary was kept; server log:\n%s", tail(string(b), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
