package whatsapp_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/klabot/klabot/bot/whatsapp"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// The device store lives in klabot's own database, beside klabot's tables.
func TestDeviceStoreUpgradeOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()

	c, err := whatsapp.OpenDevices(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A second process starting later upgrades nothing and fails nothing.
	if _, err := whatsapp.OpenDevices(ctx, db, nil); err != nil {
		t.Fatalf("second upgrade: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_name IN ('whatsmeow_device', 'whatsmeow_identity_keys', 'whatsmeow_sessions', 'whatsmeow_lid_map')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("found %d of 4 whatsmeow tables", n)
	}
	// klabot's own schema is untouched.
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM regions`).Scan(&n); err != nil {
		t.Errorf("klabot tables after whatsmeow upgrade: %v", err)
	}
	dev, err := c.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dev.ID != nil {
		t.Errorf("fresh store has a paired device %v", dev.ID)
	}
}
