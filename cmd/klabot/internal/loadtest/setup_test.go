package loadtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/headline"
	"github.com/klabot/klabot/conversations/onboarding"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// bundle is a tiny generated dataset on a fresh database, with the real engine on it.
type bundle struct {
	pool   *pgxpool.Pool
	store  *postgres.Store
	engine *conversations.Engine
	ds     *Dataset
}

func setup(tb testing.TB, spec Spec) *bundle {
	tb.Helper()
	ctx := context.Background()
	pool := pgtest.New(tb)
	rdb, prefix := redistest.New(tb)
	blobs, err := blob.NewLocal(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	store := postgres.New(pool, nil)
	states := kredis.New(rdb, kredis.Config{Prefix: prefix})
	dialogue := answering.New(answering.Deps{Answers: store, Instruments: store, Blobs: blobs})
	eng := conversations.NewEngine(conversations.Config{}, conversations.Deps{
		People: store, Regions: store, Checkpoints: store, States: states, Locker: states,
	}, dialogue.Capability(), onboarding.New(onboarding.Deps{Invites: store, Questions: dialogue}), review.New(review.Deps{}), headline.New(conversations.NewScorer(store, nil)), digest.New(nil))
	ds, err := Generate(ctx, pool, store, spec, false)
	if err != nil {
		tb.Fatal(err)
	}
	return &bundle{pool: pool, store: store, engine: eng, ds: ds}
}
