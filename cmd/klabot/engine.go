package main

import (
	"context"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/evidencepack"
	"github.com/klabot/klabot/storage/postgres"
	kredis "github.com/klabot/klabot/storage/redis"
)

// engineParts are the engine and the stores it was built on, for commands that need both.
type engineParts struct {
	Engine *conversations.Engine
	Store  *postgres.Store
	States *kredis.Store
	Blobs  *blob.Local
}

// buildEngine wires the conversation engine on the app's Postgres, Redis and evidence
// directory. Config.RedisPrefix starts every Redis key, so deployments can
// share a server. Features that add engine dependencies add them here.
func buildEngine(ctx context.Context, app *App) (*engineParts, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return nil, err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.NewLocal(cfg.EvidenceDir)
	if err != nil {
		return nil, err
	}
	store := postgres.New(pool, app.Now)
	xc, err := loadExportConfig(app.Getenv)
	if err != nil {
		return nil, err
	}
	// The dialogue states hold answer ids: a database dropped and created again under the
	// same name (a re-seeded demo, every loadtest run) must not find the old states,
	// whose ids now belong to other people's answers or to none yet.
	dbID, err := postgres.InstanceID(ctx, pool)
	if err != nil {
		return nil, err
	}
	states := kredis.New(rdb, kredis.Config{Prefix: cfg.RedisPrefix + "db" + dbID + ":"})
	cacheTTL := time.Minute
	eng := conversations.NewEngine(conversations.Config{
		MaxFileBytes: int64(cfg.MaxFileMB) << 20,
		CacheTTL:     cacheTTL,
		Year:         cfg.Year,
		// The review feature's: packs up to EXPORT_MAX_MB go out as chat attachments.
		ExportMaxBytes: xc.MaxBytes,
	}, conversations.Deps{
		People: store, Invites: store, Regions: store, Instruments: store,
		Answers: store, Checkpoints: store, States: states, Locker: states, Blobs: blobs,
		Scorer: conversations.NewScorer(store, app.Now),
		Now:    app.Now, Log: app.Log,
		// Review and evidence pack (tinjau, riwayat, ekspor).
		Reviews: store, EvidenceFiles: blobs, Coordinators: store,
		Exporter: &evidencepack.Exporter{Source: store, Blobs: blobs, Now: app.Now, Dir: xc.Dir},
		// Coordinators' ringkasan, opd, ingatkan, tenggat (serve_schedule.go).
		Digests: newScheduler(app, cfg, store, nil),
	})
	return &engineParts{Engine: eng, Store: store, States: states, Blobs: blobs}, nil
}
