package main

import (
	"context"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/dashboard"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/invite"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
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
// share a server. Features that add engine dependencies add them here. outbox, when not
// nil (serve), queues each step's replies in the step's transaction and Handle returns
// none; without it (chat, demo, the engine load test) Handle returns them.
func buildEngine(ctx context.Context, app *App, outbox conversations.Outbox) (*engineParts, error) {
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
	links, err := webLinks(app, store) // the web dashboard's links (web.go)
	if err != nil {
		return nil, err
	}
	cacheTTL := time.Minute
	maxFile := int64(cfg.MaxFileMB) << 20
	// The focal points' dialogue: questions, answers, evidence, navigation.
	dd := answering.Deps{
		Answers: store, Instruments: store, Blobs: blobs,
		Reviews:      store, // why a question came back, under the question
		Coordinators: store, // told when an OPD fixes an answer they sent back
		Carried:      store, // last year's answers offered in a year imported --from it
		MaxFileBytes: maxFile, CacheTTL: cacheTTL, Log: app.Log,
	}
	if q, ok := outbox.(*outbound.Queue); ok {
		// Answers are bound to the prompt last delivered to the chat (the queue's record).
		dd.Prompts = outbound.Prompts{Queue: q}
	}
	dialogue := answering.New(dd)
	eng := conversations.NewEngine(conversations.Config{
		CacheTTL: cacheTTL,
		Year:     cfg.Year,
	}, conversations.Deps{
		People: store, Regions: store, Checkpoints: store, States: states, Locker: states,
		Now: app.Now, Log: app.Log,
		// Each step in one transaction: its writes commit together or not at all. The
		// console and the demo print the replies Handle returns; serve queues them in
		// the step's transaction.
		Tx: store, Outbox: outbox, Deliveries: store, // every step records its message
	},
		dialogue.Capability(),
		// Strangers: invite codes, wrong ones throttled per chat and sender.
		onboarding.New(onboarding.Deps{Invites: store, Attempts: states, OnInvite: app.OnInvite,
			Questions: dialogue, Log: app.Log}),
		// The capabilities beside the focal points' dialogue. Review first of the free
		// text: a note being written is its free text. Then the heads' score questions,
		// and the coordinators' ringkasan, opd, ingatkan, tenggat (serve_schedule.go).
		review.New(review.Deps{
			Reviews: store, EvidenceFiles: blobs, MaxFileBytes: maxFile, Log: app.Log,
			Exporter: &evidencepack.Exporter{Source: store, Blobs: blobs, Now: app.Now, Dir: xc.Dir},
			// ekspor answers with an expiring link to the dashboard's download.
			Downloads: links, ExportMaxBytes: xc.MaxBytes,
		}),
		headline.New(conversations.NewScorer(store, app.Now)),
		// undang in chat: the same invites as klabot invite.
		invite.New(invite.Deps{Store: store, BotUsername: app.Getenv("TELEGRAM_BOT_USERNAME")}),
		dashboard.New(links), // dasbor: a one-time login link to the web dashboard
		digest.New(newScheduler(app, cfg, store, nil)),
	)
	return &engineParts{Engine: eng, Store: store, States: states, Blobs: blobs}, nil
}
