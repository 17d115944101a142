package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestBooleansAreStrict: the values people write are read as meant (the traps:
// WHATSAPP_BIND_BY_PHONE=no kept binding on, SCHEDULER=false left the scheduler on), and
// anything else is an error naming the variable.
func TestBooleansAreStrict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		val  string
		want bool
	}{{"true", true}, {"TRUE", true}, {"1", true}, {"yes", true}, {"on", true}, {" On ", true},
		{"false", false}, {"0", false}, {"no", false}, {"NO", false}, {"off", false}} {
		env := mapEnv(map[string]string{"SCHEDULER": tc.val, "DIGEST_CHART": tc.val})
		cfg, err := loadConfig(env)
		if err != nil || cfg.Scheduler != tc.want || cfg.DigestChart != tc.want {
			t.Errorf("SCHEDULER=%q: scheduler %v chart %v (%v), want %v", tc.val, cfg.Scheduler, cfg.DigestChart, err, tc.want)
		}
		w, err := loadWhatsAppConfig(mapEnv(map[string]string{"WHATSAPP_BIND_BY_PHONE": tc.val, "WHATSAPP_ENABLED": tc.val}))
		if err != nil || w.BindByPhone != tc.want || w.Enabled != tc.want {
			t.Errorf("WHATSAPP_BIND_BY_PHONE=%q: %v/%v (%v), want %v", tc.val, w.BindByPhone, w.Enabled, err, tc.want)
		}
	}
	cfg, err := loadConfig(mapEnv(nil))
	if err != nil || !cfg.Scheduler || !cfg.DigestChart || cfg.LogFormat != "text" || cfg.MaxFileMB != 20 || cfg.HTTPAddr != ":8080" {
		t.Fatalf("defaults: %+v (%v)", cfg, err)
	}
	if w, _ := loadWhatsAppConfig(mapEnv(nil)); !w.BindByPhone || w.Enabled {
		t.Fatalf("whatsapp defaults: %+v", w)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SCHEDULER": "maybe"}, `SCHEDULER="maybe": not a boolean`},
		{map[string]string{"DIGEST_CHART": "nein"}, `DIGEST_CHART="nein": not a boolean`},
		{map[string]string{"LOG_LEVEL": "verbose"}, `LOG_LEVEL must be debug, info, warn or error, got "verbose"`},
		{map[string]string{"LOG_FORMAT": "xml"}, `LOG_FORMAT must be text or json`},
		{map[string]string{"MAX_FILE_MB": "20MB"}, `MAX_FILE_MB="20MB": not a whole number`},
		{map[string]string{"MAX_FILE_MB": "0"}, `MAX_FILE_MB must be positive`},
		{map[string]string{"KLA_YEAR": "26"}, `KLA_YEAR must be a year`},
		{map[string]string{"SCHEDULER": "maybe", "MAX_FILE_MB": "x"}, `MAX_FILE_MB="x"`}, // all problems at once
	} {
		_, err := loadConfig(mapEnv(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.env, err, tc.want)
		}
	}
	for key, loader := range map[string]func(func(string) string) error{
		"WHATSAPP_BIND_BY_PHONE":   func(g func(string) string) error { _, err := loadWhatsAppConfig(g); return err },
		"WHATSAPP_ENABLED":         func(g func(string) string) error { _, err := loadWhatsAppConfig(g); return err },
		"TELEGRAM_RATE_PER_SECOND": func(g func(string) string) error { _, err := loadTelegramConfig(g); return err },
		"EXPORT_MAX_MB":            func(g func(string) string) error { _, err := loadExportConfig(g); return err },
	} {
		err := loader(mapEnv(map[string]string{key: "sometimes"}))
		if err == nil || !strings.Contains(err.Error(), key+`="sometimes"`) {
			t.Errorf("%s=sometimes: err = %v", key, err)
		}
	}
}

// TestBadConfigStopsEveryCommand: a command refuses to start on a bad variable, before
// touching anything; help and version still work.
func TestBadConfigStopsEveryCommand(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	app := NewApp(mapEnv(map[string]string{"SCHEDULER": "maybe"}), nil, &out, &out)
	for _, args := range [][]string{{"migrate"}, {"score", "--region", "X"}, {"serve"}, {"healthcheck"}} {
		if err := run(context.Background(), app, args); err == nil || !strings.Contains(err.Error(), "SCHEDULER") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
	for _, args := range [][]string{{"version"}, {"serve", "--help"}, {"--help"}} {
		if err := run(context.Background(), app, args); err != nil {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

func TestLogFormatJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	app := NewApp(mapEnv(map[string]string{"LOG_FORMAT": "json", "LOG_LEVEL": "debug"}), nil, &buf, &buf)
	app.Log.Debug("hello", "region", "KOTA-CONTOH")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "hello" || rec["region"] != "KOTA-CONTOH" || rec["level"] != "DEBUG" {
		t.Fatalf("log line %q (%v)", buf.String(), err)
	}
}
