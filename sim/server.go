package sim

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/pgstore"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
	"github.com/waymark-app/waymark/sync/wire"
)

// StartServer opens a server store in dir (with a fresh key) and serves
// it over TLS on 127.0.0.1: what a simulation runs against when it is
// given no server.
func StartServer(dir string) (*servertest.Server, error) {
	key := make([]byte, 32)
	rand.Read(key)
	return servertest.Start(servertest.Options{Dir: dir, Key: key})
}

// Enroller makes the accounts of simulated officers and enrols their
// devices, as a supervisor with a box of new phones would: with a one-time
// code each, over TLS pinned to the server's key.
type Enroller struct {
	// Admin administers the server: in this process, or over its socket.
	Admin server.Administration
	// URL and Pin are where devices reach the server, and its key.
	URL, Pin string
	// Team is the team every simulated officer belongs to (default
	// "day-of-action"): they see each other's records.
	Team string
}

// EnrollerFor is the Enroller of a server in this process.
func EnrollerFor(s *servertest.Server) *Enroller {
	return &Enroller{Admin: s.Admin(), URL: s.URL, Pin: s.Pin}
}

// EnrollerOf is the Enroller of a server in another process.
func EnrollerOf(r *servertest.Remote) *Enroller {
	return &Enroller{Admin: r.Admin, URL: r.URL, Pin: r.Pin}
}

// account makes account id with roles unless it exists.
func (e *Enroller) account(ctx context.Context, id, team string, roles ...wire.Role) error {
	_, err := e.Admin.AddUser(ctx, server.Account{ID: id, Name: "Simulated " + id, Number: "SIM " + id, Agency: "police", Team: team, Roles: roles})
	if errors.Is(err, server.ErrExists) {
		return nil
	}
	return err
}

// Device makes the account of simulated officer n (unless it exists)
// and enrols d as its device.
func (e *Enroller) Device(ctx context.Context, d servertest.Device, n int) (*client.Credential, error) {
	team := e.Team
	if team == "" {
		team = "day-of-action"
	}
	id := fmt.Sprintf("sim-%04d", n)
	if err := e.account(ctx, id, team, wire.RoleOfficer); err != nil {
		return nil, err
	}
	return servertest.Enrol(ctx, e.Admin, e.URL, e.Pin, d, id)
}

// Auditor enrols a supervisor's device, which holds nothing of its own,
// for PullAll: a supervisor reads every record.
func (e *Enroller) Auditor(ctx context.Context) (*client.Credential, error) {
	if err := e.account(ctx, "sim-auditor", "", wire.RoleSupervisor); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return servertest.Enrol(ctx, e.Admin, e.URL, e.Pin, st, "sim-auditor")
}

// Replicas are several servers in this process on one PostgreSQL
// database, with one certificate and one store key, behind a proxy that
// spreads connections over them in turn: what devices see of a server
// run as replicas behind a load balancer.
type Replicas struct {
	Servers []*servertest.Server
	// Balancer spreads connections over the servers; its URL is the
	// address devices use.
	Balancer *faultproxy.Proxy
}

// StartReplicas starts n servers on the database at url.
func StartReplicas(url string, n int) (*Replicas, error) {
	key := make([]byte, 32)
	rand.Read(key)
	certPEM, keyPEM, err := server.MakeCertificate(nil, time.Now())
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	r := &Replicas{}
	var addrs []string
	for range n {
		s, err := servertest.Start(servertest.Options{Cert: &cert, OpenStore: func() (storage.Store, error) {
			return pgstore.Open(context.Background(), pgstore.Options{URL: url, Key: key})
		}})
		if err != nil {
			r.Close()
			return nil, err
		}
		r.Servers = append(r.Servers, s)
		addrs = append(addrs, s.Addr)
	}
	if r.Balancer, err = faultproxy.New(addrs[0]); err != nil {
		r.Close()
		return nil, err
	}
	r.Balancer.SetTargets(addrs...)
	return r, nil
}

// Enroller enrols devices through the first replica's administration,
// to reach them all through the balancer.
func (r *Replicas) Enroller() *Enroller {
	s := r.Servers[0]
	return &Enroller{Admin: s.Admin(), URL: r.Balancer.URL(), Pin: s.Pin}
}

// Close stops the balancer and every server.
func (r *Replicas) Close() error {
	if r.Balancer != nil {
		r.Balancer.Close()
	}
	var err error
	for _, s := range r.Servers {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
