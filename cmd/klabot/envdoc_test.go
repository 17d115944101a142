package main

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestEnvExampleIsTrue keeps deploy/klabot.env.example true: every variable the typed
// configuration reads is documented there, and every variable documented there is read
// by klabot (a typed config field, or a name in cmd/klabot's code).
func TestEnvExampleIsTrue(t *testing.T) {
	t.Parallel()
	typed := map[string]bool{}
	for _, v := range []any{&Config{}, &whatsappEnv{}, &telegramEnv{}, &exportConfig{}} {
		rt := reflect.TypeOf(v).Elem()
		for i := range rt.NumField() {
			if k, _, _ := strings.Cut(rt.Field(i).Tag.Get("env"), ","); k != "" {
				typed[k] = true
			}
		}
	}
	f, err := os.Open("../../deploy/klabot.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	documented := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("env example line %q is not KEY=value", line)
			continue
		}
		documented[k] = true
	}
	for k := range typed {
		if !documented[k] {
			t.Errorf("%s is read by klabot but missing from deploy/klabot.env.example", k)
		}
	}
	var code strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	for k := range documented {
		if !typed[k] && !strings.Contains(code.String(), `"`+k+`"`) {
			t.Errorf("deploy/klabot.env.example documents %s, which klabot does not read", k)
		}
	}
}
