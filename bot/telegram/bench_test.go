package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// BenchmarkWebhookRecord measures one webhook request up to its 200: secret check, decode,
// sealing and the durable insert in Postgres (the handling after it is not included).
func BenchmarkWebhookRecord(b *testing.B) {
	store := postgres.New(pgtest.New(b), nil)
	a, err := telegram.New(context.Background(), telegram.Config{Token: token, APIURL: "http://127.0.0.1:1", SkipGetMe: true,
		WebhookURL: "https://x.example/wh", WebhookSecret: "s"}, telegram.Deps{Submitter: nopSubmitter{}, Updates: store})
	if err != nil {
		b.Fatal(err)
	}
	h := a.WebhookHandler()
	p := fakebotapi.Person{ID: 1, FirstName: "Ani"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := p.Text(i, "87,5")
		u.ID = int64(i + 1)
		body, _ := json.Marshal(u)
		r := httptest.NewRequest(http.MethodPost, "/wh", bytes.NewReader(body))
		r.Header.Set(telegram.SecretHeader, "s")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
