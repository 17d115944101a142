package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// TestWeblinkOpensTheDashboardOfServe seeds the sample region, prints a login link with
// `klabot weblink`, and redeems it against `klabot serve`: the overview shows the numbers
// of `klabot score`.
func TestWeblinkOpensTheDashboardOfServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "EVIDENCE_DIR": t.TempDir(), "WEB_BASE_URL": "http://dasbor.test/"}
	var out, errb bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	t.Cleanup(app.Close)
	if err := run(ctx, app, []string{"seed"}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, app, []string{"weblink", "--region", "kota-contoh"}); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(out.String())
	if !strings.HasPrefix(link, "http://dasbor.test/masuk/") || !strings.Contains(errb.String(), "single use") {
		t.Fatalf("link %q, stderr %q", link, errb.String())
	}
	out.Reset()
	if err := run(ctx, app, []string{"score", "--region", "KOTA-CONTOH", "--json"}); err != nil {
		t.Fatal(err)
	}
	var score struct {
		Evidenced float64
		Tier      string
	}
	if err := json.Unmarshal(out.Bytes(), &score); err != nil {
		t.Fatal(err)
	}

	r := startServe(t, env)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post("http://"+r.addr+strings.TrimPrefix(link, "http://dasbor.test"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/r/KOTA-CONTOH/" {
		t.Fatalf("after login: %d %s", res.StatusCode, res.Request.URL)
	}
	for _, want := range []string{"Kota Contoh", score.Tier, scoring.FormatPoints(score.Evidenced) + " poin berbukti"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

func TestWeblinkErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": pgtest.URL(t)}
	var out, errb bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	t.Cleanup(app.Close)
	if err := run(ctx, app, []string{"seed"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"weblink"}, {"weblink", "--person", "1", "--region", "X"}, {"weblink", "extra"}} {
		var ue usageError
		if err := run(ctx, app, args); !errors.As(err, &ue) {
			t.Errorf("%v: %v", args, err)
		}
	}
	// A focal point gets no link.
	pool, _ := app.DB(ctx)
	var id string
	if err := pool.QueryRow(ctx, `SELECT id::text FROM people WHERE role = 'focal_point' LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, app, []string{"weblink", "--person", id}); err == nil || !strings.Contains(err.Error(), "cannot use the dashboard") {
		t.Errorf("focal point: %v", err)
	}
	if err := run(ctx, app, []string{"weblink", "--region", "NOPE"}); err == nil || !strings.Contains(err.Error(), "no coordinator") {
		t.Errorf("unknown region: %v", err)
	}
	app2 := NewApp(func(k string) string {
		if k == "WEB_BASE_URL" {
			return "dasbor.example"
		}
		return env[k]
	}, strings.NewReader(""), &out, &errb)
	t.Cleanup(app2.Close)
	if err := run(ctx, app2, []string{"weblink", "--region", "KOTA-CONTOH"}); err == nil || !strings.Contains(err.Error(), "WEB_BASE_URL") {
		t.Errorf("bad WEB_BASE_URL: %v", err)
	}
}
