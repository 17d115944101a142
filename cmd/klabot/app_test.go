package main

import "testing"

func TestRedisPrefixFollowsTheDatabase(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "klabot:"},
		{map[string]string{"DATABASE_URL": "postgres://u@h:5432/klabot_staging?sslmode=disable"}, "klabot:klabot_staging:"},
		{map[string]string{"DATABASE_URL": "postgres://u@h:5432/klabot_staging", "REDIS_PREFIX": "prod:"}, "prod:"},
	} {
		cfg, err := loadConfig(func(k string) string { return tc.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RedisPrefix != tc.want {
			t.Errorf("env %v: prefix %q, want %q", tc.env, cfg.RedisPrefix, tc.want)
		}
		w, err := loadWhatsAppConfig(func(k string) string { return tc.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if w.RedisPrefix != tc.want {
			t.Errorf("env %v: whatsapp prefix %q, want %q", tc.env, w.RedisPrefix, tc.want)
		}
	}
}
