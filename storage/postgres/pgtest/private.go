package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/storage/postgres"
)

// binDir holds initdb and pg_ctl (Debian's PostgreSQL 15).
const binDir = "/usr/lib/postgresql/15/bin"

// Private is a PostgreSQL cluster of a test's own, on a free loopback port, migrated,
// that the test may stop and start again (outage tests must never stop the shared
// server). It is removed when the test ends. As root (CI containers) it runs as the
// postgres user, since PostgreSQL refuses to run as root.
type Private struct {
	t    testing.TB
	dir  string
	port int
}

// NewPrivate creates and starts a private cluster (initdb takes a few seconds). Without
// PostgreSQL's binaries the test is skipped, or fails under KLABOT_CI=1.
func NewPrivate(t testing.TB) *Private {
	t.Helper()
	if _, err := os.Stat(filepath.Join(binDir, "initdb")); err != nil {
		if os.Getenv("KLABOT_CI") == "1" {
			t.Fatalf("pgtest: %s/initdb missing (apt-get install postgresql-15)", binDir)
		}
		t.Skipf("pgtest: %s/initdb missing", binDir)
	}
	dir, err := os.MkdirTemp("", "klabot-pg-")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Private{t: t, dir: dir, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", "postgres", dir).Run(); err != nil {
			t.Fatalf("pgtest: chown %s: %v", dir, err)
		}
	}
	if out, err := p.run(filepath.Join(binDir, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		p.run(filepath.Join(binDir, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop") //nolint:errcheck
		os.RemoveAll(dir)
	})
	p.Start()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("pgtest: migrate the private cluster: %v", err)
	}
	return p
}

func (p *Private) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return cmd.CombinedOutput()
}

// URL is the cluster's database URL (database postgres).
func (p *Private) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Start starts the cluster (again) and waits until it accepts connections.
func (p *Private) Start() {
	p.t.Helper()
	out, err := p.run(filepath.Join(binDir, "pg_ctl"), "-D", filepath.Join(p.dir, "data"), "-w", "-l", filepath.Join(p.dir, "log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, p.dir), "start")
	if err != nil {
		p.t.Fatalf("pgtest: start the private cluster: %v\n%s", err, out)
	}
}

// Stop stops the cluster at once, like a crash (open connections break); Start brings
// it back with its data.
func (p *Private) Stop() {
	p.t.Helper()
	if out, err := p.run(filepath.Join(binDir, "pg_ctl"), "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "stop"); err != nil {
		p.t.Fatalf("pgtest: stop the private cluster: %v\n%s", err, out)
	}
}
