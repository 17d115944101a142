package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// buildVersion and buildCommit are set at build time when the VCS stamp is not available
// (the Dockerfile builds without .git): go build -ldflags "-X main.buildVersion=v1.2.0
// -X main.buildCommit=abc123". Without them the build info is used ("(devel)" and the
// vcs.revision Go embeds for a checkout).
var buildVersion, buildCommit string

// buildInfo is what `klabot version` prints and the klabot_build_info metric carries.
type buildInfo struct {
	Version, Commit, Time, GoVersion string
	Modified                         bool
}

// readBuildInfo reads the version and the VCS stamp Go embeds in the binary.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: buildVersion, Commit: "unknown"}
	if buildCommit != "" {
		b.Commit = buildCommit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "unknown"
		}
		return b
	}
	b.GoVersion = info.GoVersion
	if b.Version == "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if buildCommit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func (b buildInfo) String() string {
	s := "klabot " + b.Version + " (commit " + b.Commit
	if b.Modified {
		s += ", modified"
	}
	if b.Time != "" {
		s += ", " + b.Time
	}
	if b.GoVersion != "" {
		s += ", " + b.GoVersion
	}
	return s + ")"
}

// runVersion is `klabot version` / `klabot --version`.
func runVersion(_ context.Context, app *App, args []string) error {
	if len(args) > 0 {
		return usageError{"usage: klabot version"}
	}
	fmt.Fprintln(app.Stdout, readBuildInfo())
	return nil
}

// runHealthcheck is `klabot healthcheck`: GET /healthz of a running serve; an error (exit
// 1) unless it answers 200. The distroless image has no shell or curl, so the container
// healthcheck runs the binary itself.
func runHealthcheck(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	url := fs.String("url", "", "URL to ask (default: /healthz on HTTP_ADDR's port at 127.0.0.1)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"usage: klabot healthcheck [--url URL] [--timeout 3s]"}
	}
	if *url == "" {
		cfg, err := app.Config()
		if err != nil {
			return err
		}
		*url = localURL(cfg.HTTPAddr) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return usageError{fmt.Sprintf("--url %q: %v", *url, err)}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", *url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: %s", *url, resp.Status)
	}
	fmt.Fprintf(app.Stdout, "ok: %s\n", *url)
	return nil
}

// localURL turns a listen address (":8080", "0.0.0.0:8080", "[::]:8080") into a URL
// on the loopback interface.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" || strings.HasPrefix(host, "[") {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
