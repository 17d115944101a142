package main

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/bot/web"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/evidencepack"
)

// startWeb adds the coordinators' dashboard (bot/web) to serve's HTTP server.
func startWeb(ctx context.Context, s *server) (func(context.Context) error, error) {
	wc, err := loadWebConfig(s.app.Getenv)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.NewLocal(s.cfg.EvidenceDir)
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Config{BaseURL: wc.BaseURL, Now: s.app.Now, Log: s.log}, web.Deps{
		Store: s.store, Scorer: conversations.NewScorer(s.store, s.app.Now), Blobs: blobs,
		Pack: &evidencepack.Exporter{Source: s.store, Blobs: blobs, Now: s.app.Now},
		// A decision sent back reaches the OPD's focal points like one made in chat.
		Notifier: web.ChatNotifier{Store: s.store, Send: s.outbox.Enqueue},
		Tx:       s.store, // a decision and its notices commit together
	})
	if err != nil {
		return nil, fmt.Errorf("web dashboard: %w", err)
	}
	srv.Register(s.mux)
	s.log.Info("web dashboard on the HTTP server", "base_url", wc.BaseURL)
	return nil, nil
}
