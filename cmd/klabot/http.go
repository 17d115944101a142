package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// readiness turns /readyz off while serve shuts down, so load balancers stop sending.
type readiness struct{ down atomic.Bool }

func (r *readiness) shuttingDown() { r.down.Store(true) }

// routes mounts the operational endpoints: /healthz (the process is alive), /readyz
// (Postgres, Redis and every configured channel answer) and /metrics (Prometheus) unless
// METRICS_ADDR gives it an address of its own.
func (s *server) routes(ready *readiness) {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if ready.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "shutting down")
			return
		}
		lines, ok := s.checkReady(r.Context())
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprint(w, strings.Join(lines, "\n")+"\n")
	})
	if s.cfg.MetricsAddr == "" {
		s.mux.Handle("GET /metrics", s.metrics.Handler())
	}
}

// checkReady runs the ready checks in parallel, each bounded by 3 seconds.
func (s *server) checkReady(ctx context.Context) ([]string, bool) {
	s.mu.Lock()
	checks := append([]readyCheck(nil), s.checks...)
	s.mu.Unlock()
	lines := make([]string, len(checks))
	var ok atomic.Bool
	ok.Store(true)
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if err := c.check(cctx); err != nil {
				ok.Store(false)
				lines[i] = c.name + ": " + err.Error()
				return
			}
			lines[i] = c.name + ": ok"
		}()
	}
	wg.Wait()
	return lines, ok.Load()
}
