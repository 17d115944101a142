package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
)

// reviewNext opens the answer that has waited longest (optionally of one OPD or
// cluster), or says nothing waits. After a decision it shows what was recorded.
func (s *Server) reviewNext(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	reg, err := s.d.Store.Region(ctx, v.RegionCode)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.year(r, reg.Year)
	q := r.URL.Query()
	f := review.Filter{OPDCode: q.Get("opd"), ClusterCode: q.Get("klaster"), WithEvidence: q.Get("bukti") == "1"}
	skip := skipList(q.Get("lewati"))
	queue, err := s.d.Store.ReviewQueue(ctx, reg.Code, year, f, len(skip)+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var items []review.Item
	for _, it := range queue {
		if !slices.Contains(skip, it.AnswerID) {
			items = append(items, it)
		}
	}
	flash := decisionFlash(q)
	if len(items) == 0 {
		text := "Tidak ada jawaban yang menunggu tinjauan."
		if flash != "" {
			text = flash + " " + text
		}
		s.render(w, r, http.StatusOK, "pesan", frame{Title: "Tinjauan", Nav: "tinjau",
			Data: msgPage{Title: "Tinjauan", Text: text, Link: "/r/" + url.PathEscape(reg.Code) + "/pertanyaan", LinkText: "Lihat semua pertanyaan"}})
		return
	}
	target := "/r/" + url.PathEscape(reg.Code) + "/pertanyaan/" + url.PathEscape(items[0].QuestionCode) + "?dari=tinjau"
	for _, k := range []string{"selesai", "hasil", "ke", "lewati"} {
		if q.Get(k) != "" {
			target += "&" + k + "=" + url.QueryEscape(q.Get(k))
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// maxSkipped bounds the answers set aside with "Lewati dulu" in one round, as in chat.
const maxSkipped = 50

// skipList reads the answers set aside in this round ("12,15,20").
func skipList(s string) []int64 {
	var ids []int64
	for _, part := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil && id > 0 && len(ids) < maxSkipped {
			ids = append(ids, id)
		}
	}
	return ids
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// decisionFlash is the sentence about the decision just recorded (from the redirect's
// query: fixed texts, only the question code and a count come from the URL).
func decisionFlash(q url.Values) string {
	code := shorten(q.Get("selesai"), 20)
	if code == "" {
		return ""
	}
	switch conversations.ReviewState(q.Get("hasil")) {
	case conversations.ReviewApproved:
		return fmt.Sprintf("%s diterima.", code)
	case conversations.ReviewNeedsRevision, conversations.ReviewRejected:
		label := conversations.ReviewState(q.Get("hasil")).Label()
		n, _ := strconv.Atoi(q.Get("ke"))
		if n <= 0 {
			return fmt.Sprintf("%s dicatat %s. Belum ada focal point OPD itu yang terhubung ke chat, jadi belum ada yang diberi tahu.", code, label)
		}
		return fmt.Sprintf("%s dicatat %s; catatan dikirim ke %d focal point OPD lewat chat.", code, label, n)
	}
	return ""
}

// review records a decision from the question page's form, with the same rules and
// effects as the chat: a note for needs revision and reject, only the current version,
// the OPD's focal points told in their chats.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	if !MayReview(v.Person) {
		s.page(w, r, http.StatusForbidden, "pesan", msgPage{Title: "Hanya untuk koordinator",
			Text: "Pimpinan dapat melihat dasbor; keputusan tinjauan dibuat oleh koordinator KLA."})
		return
	}
	answerID, err := strconv.ParseInt(r.PathValue("answer"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	it, err := s.d.Store.ReviewItem(ctx, v.RegionCode, answerID)
	if errIs(err, errNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	state := conversations.ReviewState(r.PostFormValue("keputusan"))
	note := strings.TrimSpace(r.PostFormValue("catatan"))
	r.SetPathValue("code", it.QuestionCode)
	switch {
	case !state.Recordable():
		s.questionPage(w, r, http.StatusUnprocessableEntity, "Pilih keputusan: terima, minta perbaikan, atau tolak.", note, "")
		return
	case state.NeedsNote() && note == "":
		s.questionPage(w, r, http.StatusUnprocessableEntity, "Tulis catatan singkat untuk OPD: apa yang perlu diperbaiki atau mengapa ditolak.", note, "")
		return
	case utf8.RuneCountInString(note) > review.MaxNote:
		s.questionPage(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("Catatan terlalu panjang: paling banyak %d karakter.", review.MaxNote), note, "")
		return
	case r.PostFormValue("dilihat") != string(it.State):
		// Someone decided (or the OPD answered again) since the page was opened.
		s.questionPage(w, r, http.StatusConflict, fmt.Sprintf("Jawaban %s sudah berubah sejak halaman dibuka (sekarang: %s). Keputusan Anda tidak dicatat; periksa keadaan terbaru di bawah.", it.QuestionCode, it.State.Label()), note, "")
		return
	}
	// The decision and the notices to the focal points commit together (Deps.Tx).
	reached := 0
	err = s.inTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Store.RecordReview(ctx, answerID, state, note, v.ID); err != nil {
			return err
		}
		if !state.NeedsNote() || s.d.Notifier == nil {
			return nil
		}
		names, err := s.d.Notifier.ReviewDecided(ctx, it, state, note, v.Person)
		if err != nil {
			if s.d.Tx != nil {
				return fmt.Errorf("review notice: %w", err) // nothing recorded: decide again
			}
			// The decision is recorded; the focal points still see it as the reopened
			// question first when they type lanjut.
			s.cfg.Log.Error("web review notice", "answer", answerID, "err", err)
		}
		reached = len(names)
		return nil
	})
	switch {
	case errIs(err, errConflict):
		s.questionPage(w, r, http.StatusConflict, fmt.Sprintf("OPD sudah mengirim versi baru untuk %s. Keputusan Anda untuk versi lama tidak dicatat; tinjau versi terbaru di bawah.", it.QuestionCode), note, "")
		return
	case errIs(err, errNotFound):
		s.notFound(w, r)
		return
	case errIs(err, errInvalid):
		s.questionPage(w, r, http.StatusUnprocessableEntity, "Tulis catatan singkat untuk OPD.", note, "")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	target := fmt.Sprintf("/r/%s/tinjau?selesai=%s&hasil=%s", url.PathEscape(v.RegionCode), url.QueryEscape(it.QuestionCode), url.QueryEscape(string(state)))
	if state.NeedsNote() {
		target += "&ke=" + strconv.Itoa(reached)
	}
	if skip := skipList(r.PostFormValue("lewati")); len(skip) > 0 {
		target += "&lewati=" + joinIDs(skip)
	}
	if r.PostFormValue("dari") != "tinjau" {
		target = fmt.Sprintf("/r/%s/pertanyaan/%s?selesai=%s&hasil=%s&ke=%d", url.PathEscape(v.RegionCode), url.PathEscape(it.QuestionCode),
			url.QueryEscape(it.QuestionCode), url.QueryEscape(string(state)), reached)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// inTx runs fn in one transaction with Deps.Tx, else directly.
func (s *Server) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.d.Tx == nil {
		return fn(ctx)
	}
	return s.d.Tx.InTx(ctx, fn)
}
