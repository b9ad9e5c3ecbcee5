package servertest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// Remote is a server running in another process (a waymark-server
// binary) on a data folder this process can reach: its address and pin,
// and its administration socket.
type Remote struct {
	URL   string
	Pin   string
	Admin *server.AdminClient
}

// Ready waits until the server on data, listening on addr, has
// initialised the folder and answers its health check over TLS pinned to
// its key, or until exited is closed, ctx is done or a minute passes.
func Ready(ctx context.Context, data server.DataDir, addr string, exited <-chan struct{}) (*Remote, error) {
	r := &Remote{URL: "https://" + addr, Admin: &server.AdminClient{Socket: data.Socket()}}
	deadline := time.Now().Add(time.Minute)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("the server exited before it was ready (%v)", last)
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		if r.Pin == "" && data.Initialised() {
			cfg, err := data.Config()
			if err == nil {
				_, _, r.Pin, err = data.TLS(cfg)
			}
			last = err
		}
		if r.Pin != "" {
			last = r.health(ctx)
			if last == nil {
				return r, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, fmt.Errorf("the server was not ready within a minute: %v", last)
}

func (r *Remote) health(ctx context.Context) error {
	hc := client.DefaultHTTPClient(r.Pin)
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL+wire.PathHealth, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s", resp.Status)
	}
	return nil
}

// Enrol enrols d as account on the remote server; see Enrol.
func (r *Remote) Enrol(ctx context.Context, d Device, account string) (*client.Credential, error) {
	return Enrol(ctx, r.Admin, r.URL, r.Pin, d, account)
}
