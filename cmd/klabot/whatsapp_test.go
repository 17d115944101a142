package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// whatsappApp returns an App on a fresh database whose WhatsApp connections go to a
// closed local port: no test reaches WhatsApp.
func whatsappApp(t *testing.T, extra map[string]string) (*App, *bytes.Buffer) {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":   pgtest.URL(t),
		"WHATSAPP_PROXY": "http://127.0.0.1:1",
		"LOG_LEVEL":      "error",
	}
	for k, v := range extra {
		env[k] = v
	}
	var out, errs bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	t.Cleanup(app.Close)
	return app, &out
}

func TestWhatsAppPairOffline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		step string
	}{
		{[]string{"whatsapp", "pair", "--timeout", "10s"}, "Tautkan perangkat"},
		{[]string{"whatsapp", "pair", "--phone", "+62 812-3456-7890", "--timeout", "10s"}, "+6281234567890"},
	} {
		app, out := whatsappApp(t, nil)
		err := run(context.Background(), app, tc.args)
		if err == nil || !strings.Contains(err.Error(), "cannot reach WhatsApp") {
			t.Errorf("%v: err = %v, want a clear network error", tc.args, err)
		}
		if !strings.Contains(out.String(), tc.step) || !strings.Contains(out.String(), "Connecting to WhatsApp") {
			t.Errorf("%v: output does not explain the next step:\n%s", tc.args, out)
		}
		// Nothing was paired.
		out.Reset()
		if err := run(context.Background(), app, []string{"whatsapp", "status"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "paired:    no") {
			t.Errorf("status after failed pairing:\n%s", out)
		}
	}
}

func TestWhatsAppCommandMistakes(t *testing.T) {
	t.Parallel()
	app, _ := whatsappApp(t, nil)
	for _, args := range [][]string{
		{"whatsapp"},
		{"whatsapp", "dance"},
		{"whatsapp", "pair", "--phone", "12"},
	} {
		err := run(context.Background(), app, args)
		var ue usageError
		if err == nil || !asUsage(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	bad, _ := whatsappApp(t, map[string]string{"WHATSAPP_DIGEST_GROUPS": "6281234567890@s.whatsapp.net"})
	if err := run(context.Background(), bad, []string{"whatsapp", "status"}); err == nil || !strings.Contains(err.Error(), "not a group JID") {
		t.Errorf("bad digest group: %v", err)
	}
}

func asUsage(err error, ue *usageError) bool {
	u, ok := err.(usageError)
	*ue = u
	return ok
}

func TestWhatsAppGroupsCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app, _ := whatsappApp(t, nil)
	if err := run(ctx, app, []string{"whatsapp", "groups"}); err == nil || !strings.Contains(err.Error(), "no WhatsApp number is paired") {
		t.Fatalf("unpaired: %v", err)
	}
	st, devices, err := openWhatsAppDevices(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	pairFakeDevice(t, devices)
	// While serve holds the session, groups must not connect (it would push serve out).
	lock, err := st.TryLockSession(ctx, whatsappSessionLock, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, app, []string{"whatsapp", "groups"}); err == nil || !strings.Contains(err.Error(), "holds the WhatsApp session") {
		t.Errorf("session held: %v", err)
	}
	lock.Release(ctx)
	if err := run(ctx, app, []string{"whatsapp", "groups"}); err == nil || !strings.Contains(err.Error(), "cannot reach WhatsApp") {
		t.Errorf("offline: %v", err)
	}
}

func TestWhatsAppProductionConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := loadWhatsAppConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TypingPerChar != 25*time.Millisecond || c.BulkInterval != 20*time.Second || c.DailyCap != 300 ||
		c.WorkFrom != 7 || c.WorkTo != 18 || c.Location.String() != "Asia/Jakarta" || c.WebVersion != "" {
		t.Errorf("defaults %+v", c)
	}
	c, err = loadWhatsAppConfig(env(map[string]string{"WHATSAPP_WEB_VERSION": "2.3000.1029030078", "WHATSAPP_WORK_HOURS": "8-16",
		"WHATSAPP_TIMEZONE": "Asia/Makassar", "WHATSAPP_DAILY_CAP": "50", "WHATSAPP_TYPING_MS_PER_CHAR": "0"}))
	if err != nil || c.WebVersion != "2.3000.1029030078" || c.WorkFrom != 8 || c.WorkTo != 16 || c.DailyCap != 50 || c.TypingPerChar != 0 || c.Location.String() != "Asia/Makassar" {
		t.Errorf("set: %+v, %v", c, err)
	}
	for k, v := range map[string]string{"WHATSAPP_WEB_VERSION": "2.3000", "WHATSAPP_WORK_HOURS": "18-7",
		"WHATSAPP_TIMEZONE": "Mars/Olympus", "WHATSAPP_DAILY_CAP": "0", "WHATSAPP_BULK_INTERVAL_S": "-1"} {
		if _, err := loadWhatsAppConfig(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k[:strings.LastIndex(k, "_")]) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
