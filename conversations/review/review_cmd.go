package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// reviewExtraKey names the review feature's part of State.Extra.
const reviewExtraKey = "review"

// maxSkippedReviews bounds the answers a coordinator can set aside with "Lewati dulu".
const maxSkippedReviews = 50

// reviewState is what the review dialogue remembers between messages.
type reviewState struct {
	Filter  Filter  `json:"filter"`
	Skipped []int64 `json:"skipped,omitempty"` // answers set aside in this round
	// Shown is the answer of the card shown last: only its buttons are live, as only the
	// open question's buttons are (a press on an older card records nothing).
	Shown int64 `json:"shown,omitempty"`
	// Pending decision waiting for its note (ModeReviewNote only).
	AnswerID int64                     `json:"answer_id,omitempty"`
	Decision conversations.ReviewState `json:"decision,omitempty"`
	Code     string                    `json:"code,omitempty"`
	// Where the person was before the note was asked.
	PrevMode conversations.Mode `json:"prev_mode,omitempty"`
}

func loadReviewState(s *conversations.State) reviewState {
	var rs reviewState
	if raw, ok := s.Extra[reviewExtraKey]; ok {
		_ = json.Unmarshal(raw, &rs) // a broken value starts afresh
	}
	return rs
}

func saveReviewState(s *conversations.State, rs reviewState) {
	raw, err := json.Marshal(rs)
	if err != nil {
		return
	}
	if s.Extra == nil {
		s.Extra = map[string]json.RawMessage{}
	}
	s.Extra[reviewExtraKey] = raw
}

// reviewer reports whether the person may review and export: coordinators and admins.
func reviewer(p conversations.Person) bool {
	return p.Role == conversations.RoleCoordinator || p.Role == conversations.RoleAdmin
}

// refuseReview is the polite answer to people who may not review, and to everyone when
// the review store is not wired.
func (e *reviews) refuseReview(r *conversations.Request) ([]conversations.Outbound, bool) {
	switch {
	case !reviewer(r.Person):
		return r.Replies(tr(r.Lang(), rvOnlyCoordinators)), true
	case e.d.Reviews == nil:
		return r.Replies(tr(r.Lang(), rvNotReady)), true
	}
	return nil, false
}

// cmdReview is "tinjau [OPD|klaster N|bukti]": the next answer waiting for review.
// Deps are the review capability's collaborators.
type Deps struct {
	Reviews Store
	// Exporter writes the evidence pack (storage/evidencepack); nil turns ekspor off.
	Exporter Exporter
	// Downloads makes the web dashboard's expiring download links: with it, ekspor
	// answers with a link to the pack (made as it downloads, any size) instead of a ZIP
	// attachment or a path on the server. nil keeps the attachment.
	Downloads Downloads
	// EvidenceFiles reads the evidence files a reviewer is shown (storage/blob).
	EvidenceFiles EvidenceOpener
	// ExportMaxBytes is the largest evidence pack sent as a chat attachment; bigger
	// packs stay in the export folder and the coordinator is told where. Defaults to
	// DefaultExportMaxBytes (45 MB, under Telegram's 50 MB bot upload limit).
	ExportMaxBytes int64
	// MaxFileBytes is the largest evidence file attached to a review card: the engine's
	// conversations.Config.MaxFileBytes. Defaults to 20 MB like it.
	MaxFileBytes int64
	Log          *slog.Logger // defaults to slog.Default()
}

// New returns the coordinators' review capability: tinjau, riwayat, ekspor, the review
// buttons ("rv:") and the note of a revision. A nil d.Reviews turns it off politely.
// Wire it before capabilities with free text: a note being written comes first.
func New(d Deps) conversations.Capability {
	if d.MaxFileBytes <= 0 {
		d.MaxFileBytes = 20 << 20
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	e := &reviews{d: d}
	return conversations.Capability{
		Name: "review",
		Commands: []conversations.Command{
			{Rank: 100, Names: []string{"tinjau", "review"}, Roles: conversations.Reviewing, Args: true, Run: e.cmdReview,
				Help: "tinjau [OPD|klaster N|bukti] — tinjau jawaban yang menunggu", HelpEN: "review [OPD|cluster N|evidence] — review waiting answers"},
			{Rank: 110, Names: []string{"riwayat", "history"}, Roles: conversations.Reviewing, Args: true, Run: e.cmdHistory,
				Help: "riwayat N — semua versi jawaban pertanyaan N dan tinjauannya", HelpEN: "history N — every version of question N's answer and its reviews"},
			{Rank: 120, Names: []string{"ekspor", "export"}, Roles: conversations.Reviewing, Args: true, Run: e.cmdExport,
				Help: "ekspor — paket bukti (ZIP) untuk diunggah ke situs KLA", HelpEN: "export — the evidence pack (ZIP) for the KLA website"},
		},
		Buttons: []conversations.ButtonRoute{{Prefix: "rv:", Run: e.pressReview}},
		Modes: []conversations.ModeRoute{{Mode: conversations.ModeReviewNote, Text: e.reviewNoteText,
			Free:    func(context.Context, *conversations.Request) bool { return true },
			Prompt:  e.noteWaiting,
			Pending: e.notePending,
			Pause:   e.pauseNote}},
	}
}

// noteWaiting reminds a coordinator that the note of a decision is still awaited (after
// a command typed meanwhile, a late message).
func (e *reviews) noteWaiting(_ context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	return r.Replies(tr(r.Lang(), rvNoteWaiting, loadReviewState(r.State).Code)), nil
}

// pauseNote gives the awaited note up when the coordinator pauses (berhenti): what they
// type when they come back is no note to the OPD.
func (e *reviews) pauseNote(r *conversations.Request) {
	rs := loadReviewState(r.State)
	e.leaveReviewNote(r, &rs)
	saveReviewState(r.State, rs)
}

// notePending is the note awaited: a command that leaves it (tinjau, a coordinator's own
// question) says that the decision is cancelled.
func (e *reviews) notePending(_ context.Context, r *conversations.Request) (conversations.Pending, bool) {
	rs := loadReviewState(r.State)
	if rs.AnswerID == 0 {
		return conversations.Pending{}, false
	}
	dropped := rvReviseDropped
	if rs.Decision == conversations.ReviewRejected {
		dropped = rvRejectDropped
	}
	return conversations.Pending{Key: "note:" + strconv.FormatInt(rs.AnswerID, 10), Dropped: tr(r.Lang(), dropped, rs.Code)}, true
}

type reviews struct {
	d Deps
}

func (e *reviews) cmdReview(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if out, refused := e.refuseReview(r); refused {
		return out, nil
	}
	rs := loadReviewState(r.State)
	e.leaveReviewNote(r, &rs)
	rs.Filter = e.parseReviewFilter(r, r.Args)
	rs.Skipped = nil
	saveReviewState(r.State, rs)
	return e.nextReview(ctx, r, rs, nil)
}

// parseReviewFilter reads "DINKES", "klaster 3", "kelembagaan", "bukti", "semua" and
// their combinations. An OPD is matched by the region's codes and names first.
func (e *reviews) parseReviewFilter(r *conversations.Request, args string) Filter {
	var f Filter
	words := strings.Fields(args)
	var opd []string
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(strings.Trim(words[i], ".,;"))
		switch {
		case w == "bukti" || w == "evidence":
			f.WithEvidence = true
		case w == "semua" || w == "all":
		case w == "kelembagaan":
			f.ClusterCode = "KELEMBAGAAN"
		case (w == "klaster" || w == "cluster") && i+1 < len(words):
			i++
			f.ClusterCode = ClusterCode(words[i])
		case strings.HasPrefix(w, "klaster") && len(w) > len("klaster"):
			f.ClusterCode = ClusterCode(w[len("klaster"):])
		case looksLikeQuestionCode(w): // "tinjau 1.3": one question
			f.QuestionCode = w
		default:
			opd = append(opd, words[i])
		}
	}
	if len(opd) > 0 {
		want := strings.Join(opd, " ")
		f.OPDCode = strings.ToUpper(want) // a national code of the question ("BAGHUKUM")
		if o, ok := conversations.FindOPD(r.OPDs(), want); ok {
			f.OPDCode = o.Code
		}
	}
	return f
}

// looksLikeQuestionCode reports whether w is written like a question code: digits with
// dots ("1.3", "12.2.1").
func looksLikeQuestionCode(w string) bool {
	if !strings.Contains(w, ".") {
		return false
	}
	for _, r := range w {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return !strings.HasPrefix(w, ".") && !strings.HasSuffix(w, ".")
}

// describeFilter names the filter for "nothing waiting for ...".
func describeFilter(f Filter, lang string) string {
	var parts []string
	if f.OPDCode != "" {
		parts = append(parts, f.OPDCode)
	}
	if f.QuestionCode != "" {
		parts = append(parts, f.QuestionCode)
	}
	if f.ClusterCode != "" {
		if f.ClusterCode == "KELEMBAGAAN" {
			parts = append(parts, "Kelembagaan")
		} else {
			parts = append(parts, "Klaster "+f.ClusterCode)
		}
	}
	if f.WithEvidence {
		if lang == "en" {
			parts = append(parts, "with evidence")
		} else {
			parts = append(parts, "yang ada buktinya")
		}
	}
	return strings.Join(parts, ", ")
}

// nextReview shows the next waiting answer (not set aside) after the lines in first.
func (e *reviews) nextReview(ctx context.Context, r *conversations.Request, rs reviewState, first []string) ([]conversations.Outbound, error) {
	outs := r.Replies(first...)
	items, err := e.d.Reviews.ReviewQueue(ctx, r.Person.RegionCode, r.State.Year, rs.Filter, len(rs.Skipped)+1)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	var it *Item
	for i := range items {
		skipped := false
		for _, id := range rs.Skipped {
			skipped = skipped || id == items[i].AnswerID
		}
		if !skipped {
			it = &items[i]
			break
		}
	}
	rs.Shown = 0
	if it != nil {
		rs.Shown = it.AnswerID
	}
	saveReviewState(r.State, rs)
	if it == nil && len(items) > 0 {
		return append(outs, r.Replies(tr(r.Lang(), rvOnlySkipped, len(items)))...), nil
	}
	if it == nil {
		if desc := describeFilter(rs.Filter, r.Lang()); desc != "" {
			return append(outs, r.Replies(tr(r.Lang(), rvQueueEmptyFilter, desc))...), nil
		}
		return append(outs, r.Replies(tr(r.Lang(), rvQueueEmpty))...), nil
	}
	waiting, err := e.d.Reviews.CountReviewQueue(ctx, r.Person.RegionCode, r.State.Year, rs.Filter)
	if err != nil {
		return nil, fmt.Errorf("count review queue: %w", err)
	}
	return append(outs, e.reviewCard(ctx, r, *it, waiting, rs.Filter)...), nil
}

// pressReview handles the review buttons "ok:ID", "fix:ID", "no:ID" and "skip:ID".
func (e *reviews) pressReview(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if out, refused := e.refuseReview(r); refused {
		return out, nil
	}
	action, idText, _ := strings.Cut(r.Args, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return r.Replies(r.OldButtonText()), nil
	}
	rs := loadReviewState(r.State)
	if id != rs.Shown {
		return e.pressOldCard(ctx, r, rs, action, id)
	}
	e.leaveReviewNote(r, &rs)
	it, err := e.d.Reviews.ReviewItem(ctx, r.Person.RegionCode, id)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(r.Lang(), rvGone)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("review item %d: %w", id, err)
	}
	lang := r.Lang()
	if action != "skip" && it.State.Recordable() {
		who := ""
		if len(it.Reviews) > 0 {
			who = it.Reviews[len(it.Reviews)-1].ReviewerName
		}
		saveReviewState(r.State, rs)
		return e.nextReview(ctx, r, rs, []string{tr(lang, rvAlreadyReviewed, it.QuestionCode, it.State.Label(), whoOr(who, lang))})
	}
	switch action {
	case "ok":
		return e.decide(ctx, r, rs, it, conversations.ReviewApproved, "")
	case "fix", "no":
		// Do not ask for a note on a version the OPD has replaced meanwhile.
		versions, err := e.d.Reviews.ReviewHistory(ctx, r.Person.RegionCode, it.Year, it.QuestionCode)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", it.QuestionCode, err)
		}
		if n := len(versions); n > 0 && versions[n-1].AnswerID != it.AnswerID {
			saveReviewState(r.State, rs)
			return e.latestVersion(ctx, r, rs, it)
		}
		rs.AnswerID, rs.Code, rs.PrevMode = it.AnswerID, it.QuestionCode, r.State.Mode
		rs.Decision = conversations.ReviewNeedsRevision
		ask := rvAskNoteRevise
		if action == "no" {
			rs.Decision, ask = conversations.ReviewRejected, rvAskNoteReject
		}
		r.State.Mode = conversations.ModeReviewNote
		saveReviewState(r.State, rs)
		return r.Replies(tr(lang, ask, it.QuestionCode)), nil
	case "skip":
		if len(rs.Skipped) < maxSkippedReviews {
			rs.Skipped = append(rs.Skipped, it.AnswerID)
		}
		saveReviewState(r.State, rs)
		return e.nextReview(ctx, r, rs, nil)
	}
	return r.Replies(r.OldButtonText()), nil
}

func whoOr(name, lang string) string {
	if name != "" {
		return name
	}
	if lang == "en" {
		return "another coordinator"
	}
	return "koordinator lain"
}

// reviewNoteText takes the note of a pending revision request or rejection (the text
// typed in ModeReviewNote).
func (e *reviews) reviewNoteText(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	text := r.In.Text
	rs := loadReviewState(r.State)
	lang := r.Lang()
	note := strings.TrimSpace(text)
	switch low := strings.ToLower(strings.Trim(note, ".! ")); {
	case low == "batal" || low == "cancel":
		code := rs.Code
		e.leaveReviewNote(r, &rs)
		saveReviewState(r.State, rs)
		return r.Replies(tr(lang, rvCancelled, code)), nil
	case note == "":
		return r.Replies(tr(lang, rvNoteEmpty)), nil
	case utf8.RuneCountInString(note) > MaxNote:
		return r.Replies(tr(lang, rvNoteTooLong, MaxNote)), nil
	case !strings.ContainsFunc(note, unicode.IsLetter):
		// "1" typed after the note was asked is a number of the card above, not a note.
		return r.Replies(tr(lang, rvNoteNoWords, note, rs.Code)), nil
	}
	it, err := e.d.Reviews.ReviewItem(ctx, r.Person.RegionCode, rs.AnswerID)
	decision := rs.Decision
	e.leaveReviewNote(r, &rs)
	saveReviewState(r.State, rs)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(lang, rvGone)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("review item %d: %w", rs.AnswerID, err)
	}
	return e.decide(ctx, r, rs, it, decision, note)
}

// leaveReviewNote drops a pending note request and restores the mode it interrupted.
func (e *reviews) leaveReviewNote(r *conversations.Request, rs *reviewState) {
	if r.State.Mode == conversations.ModeReviewNote {
		r.State.Mode = rs.PrevMode
	}
	rs.AnswerID, rs.Decision, rs.Code, rs.PrevMode = 0, "", "", ""
}

// decide records a decision, tells the OPD's focal points when the answer goes back to
// them, and shows the next answer waiting.
func (e *reviews) decide(ctx context.Context, r *conversations.Request, rs reviewState, it Item, state conversations.ReviewState, note string) ([]conversations.Outbound, error) {
	lang := r.Lang()
	_, err := e.d.Reviews.RecordReview(ctx, it.AnswerID, state, note, r.Person.ID)
	switch {
	case errors.Is(err, conversations.ErrConflict):
		return e.latestVersion(ctx, r, rs, it)
	case errors.Is(err, conversations.ErrNotFound):
		return r.Replies(tr(lang, rvGone)), nil
	case errors.Is(err, conversations.ErrForbidden):
		return r.Replies(tr(lang, rvOnlyCoordinators)), nil
	case errors.Is(err, conversations.ErrInvalid):
		return r.Replies(tr(lang, rvNoteEmpty)), nil
	case err != nil:
		return nil, fmt.Errorf("record review %d: %w", it.AnswerID, err)
	}
	if state == conversations.ReviewApproved {
		return e.nextReview(ctx, r, rs, []string{tr(lang, rvApproved, it.QuestionCode)})
	}
	notices, names, err := e.reviewNotices(ctx, r, it, state, note)
	if err != nil {
		return nil, err
	}
	line := tr(lang, rvSentBack, it.QuestionCode, state.Label(), strings.Join(names, ", "))
	if len(names) == 0 {
		line = tr(lang, rvNobodyToTell, it.QuestionCode, state.Label())
	}
	outs, err := e.nextReview(ctx, r, rs, []string{line})
	return append(notices, outs...), err
}

// latestVersion answers a decision on a version replaced meanwhile: it shows the
// question's newest version when that one waits, else the next answer waiting.
func (e *reviews) latestVersion(ctx context.Context, r *conversations.Request, rs reviewState, it Item) ([]conversations.Outbound, error) {
	first := tr(r.Lang(), rvStale, it.QuestionCode)
	versions, err := e.d.Reviews.ReviewHistory(ctx, r.Person.RegionCode, it.Year, it.QuestionCode)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", it.QuestionCode, err)
	}
	if n := len(versions); n > 0 && !versions[n-1].State.Recordable() {
		waiting, err := e.d.Reviews.CountReviewQueue(ctx, r.Person.RegionCode, r.State.Year, rs.Filter)
		if err != nil {
			return nil, fmt.Errorf("count review queue: %w", err)
		}
		rs.Shown = versions[n-1].AnswerID
		saveReviewState(r.State, rs)
		return append(r.Replies(first), e.reviewCard(ctx, r, versions[n-1], waiting, rs.Filter)...), nil
	}
	return e.nextReview(ctx, r, rs, []string{first})
}

// pressOldCard answers a press on a card other than the latest one shown. Nothing is
// recorded: the answer was decided already (said so), replaced by a newer version
// (shown), or is simply not the card open now (the old-button sentence and that card).
func (e *reviews) pressOldCard(ctx context.Context, r *conversations.Request, rs reviewState, action string, id int64) ([]conversations.Outbound, error) {
	it, err := e.d.Reviews.ReviewItem(ctx, r.Person.RegionCode, id)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(r.Lang(), rvGone)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("review item %d: %w", id, err)
	}
	if action != "skip" && it.State.Recordable() {
		who := ""
		if len(it.Reviews) > 0 {
			who = it.Reviews[len(it.Reviews)-1].ReviewerName
		}
		return r.Replies(tr(r.Lang(), rvAlreadyReviewed, it.QuestionCode, it.State.Label(), whoOr(who, r.Lang()))), nil
	}
	versions, err := e.d.Reviews.ReviewHistory(ctx, r.Person.RegionCode, it.Year, it.QuestionCode)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", it.QuestionCode, err)
	}
	if n := len(versions); n > 0 && versions[n-1].AnswerID != it.AnswerID && r.State.Mode != conversations.ModeReviewNote {
		return e.latestVersion(ctx, r, rs, it)
	}
	return e.staleCard(ctx, r, rs)
}

// staleCard answers a press on a review card that is not the latest one shown: the
// old-button sentence, then the card open now (or the next one waiting).
func (e *reviews) staleCard(ctx context.Context, r *conversations.Request, rs reviewState) ([]conversations.Outbound, error) {
	first := r.OldButtonText()
	if r.State.Mode == conversations.ModeReviewNote {
		return r.Replies(first, tr(r.Lang(), rvAskNoteRevise, rs.Code)), nil
	}
	if rs.Shown != 0 {
		it, err := e.d.Reviews.ReviewItem(ctx, r.Person.RegionCode, rs.Shown)
		if err == nil && !it.State.Recordable() {
			waiting, err := e.d.Reviews.CountReviewQueue(ctx, r.Person.RegionCode, r.State.Year, rs.Filter)
			if err != nil {
				return nil, fmt.Errorf("count review queue: %w", err)
			}
			return append(r.Replies(first), e.reviewCard(ctx, r, it, waiting, rs.Filter)...), nil
		}
	}
	return e.nextReview(ctx, r, rs, []string{first})
}

// reviewNotices are the messages telling the OPD's focal points (each in their own
// language, on every chat bound to them) that an answer came back with a note. It
// returns the names of the people reached.
func (e *reviews) reviewNotices(ctx context.Context, r *conversations.Request, it Item, state conversations.ReviewState, note string) ([]conversations.Outbound, []string, error) {
	people, err := e.d.Reviews.ReviewRecipients(ctx, it.AnswerID)
	if err != nil {
		return nil, nil, fmt.Errorf("review recipients: %w", err)
	}
	var outs []conversations.Outbound
	var names []string
	for _, p := range people {
		if p.ID == r.Person.ID {
			continue
		}
		lang := p.Language
		if lang == "" {
			lang = "id"
		}
		text := NoticeText(lang, it, state, note, r.Person.Name, r.Region.Location())
		msgs, err := r.Notify(ctx, p.ID, text, nil)
		if err != nil {
			return nil, nil, err
		}
		for k := range msgs {
			msgs[k].Kind = NoticeNote // the notifications log names it, with its outcome
		}
		if len(msgs) > 0 {
			names = append(names, p.Name)
		}
		outs = append(outs, msgs...)
	}
	return outs, names, nil
}

// NoticeNote is the Outbound.Kind of the notice telling a focal point that an answer
// came back with the reviewer's note (from the chat's review or the web dashboard).
const NoticeNote = "review_note"

// NoticeText is the message telling a focal point (in lang) that their OPD's answer came
// back with the reviewer's note: the chat's review and the web dashboard send the same.
func NoticeText(lang string, it Item, state conversations.ReviewState, note, reviewer string, loc *time.Location) string {
	if lang == "" {
		lang = "id"
	}
	title := tr(lang, rvNoticeRevise)
	if state == conversations.ReviewRejected {
		title = tr(lang, rvNoticeReject)
	}
	return title + "\n" + tr(lang, rvNoticeBody, it.QuestionCode, conversations.Shorten(it.QuestionText, 120),
		reviewValue(it, lang), idfmt.Date(it.AnsweredAt.In(loc), lang), reviewer, note, it.QuestionCode)
}

// cmdHistory is "riwayat N": every version of a question's answer and its reviews.
func (e *reviews) cmdHistory(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if out, refused := e.refuseReview(r); refused {
		return out, nil
	}
	lang := r.Lang()
	ref := strings.TrimPrefix(strings.TrimSpace(r.Args), "#")
	if ref == "" {
		return r.Replies(tr(lang, rvHistoryUsage)), nil
	}
	versions, err := e.d.Reviews.ReviewHistory(ctx, r.Person.RegionCode, r.State.Year, ref)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(lang, rvHistoryUnknown, ref, r.State.Year)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", ref, err)
	}
	if len(versions) == 0 {
		return r.Replies(tr(lang, rvHistoryNone, ref)), nil
	}
	return r.Replies(historyText(versions, r.Region.Location(), lang)), nil
}

// cmdExport is "ekspor [tahun]": the evidence pack as a ZIP attachment when it fits the
// channel's limit, otherwise where it was written on the server.
func (e *reviews) cmdExport(ctx context.Context, r *conversations.Request) ([]conversations.Outbound, error) {
	if out, refused := e.refuseReview(r); refused {
		return out, nil
	}
	lang := r.Lang()
	if e.d.Exporter == nil {
		return r.Replies(tr(lang, rvExportNotReady)), nil
	}
	year := r.State.Year
	if a := strings.TrimSpace(r.Args); a != "" {
		y, err := strconv.Atoi(a)
		if err != nil || y < 2000 || y > 2100 {
			return r.Replies(tr(lang, rvExportBadYear)), nil
		}
		year = y
	}
	if e.d.Downloads != nil {
		return e.exportLink(ctx, r, year)
	}
	res, err := e.d.Exporter.Export(ctx, r.Person.RegionCode, year)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(lang, rvExportNoInstrument, year)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("export %s %d: %w", r.Person.RegionCode, year, err)
	}
	var outs []conversations.Outbound
	limit := e.d.ExportMaxBytes
	if limit <= 0 {
		limit = DefaultExportMaxBytes
	}
	if res.Size > limit || res.Open == nil {
		outs = r.Replies(tr(lang, rvExportTooBig, r.Region.Name, year, idfmt.Size(res.Size, lang), idfmt.Size(limit, lang), res.Path))
	} else {
		data, err := readExport(res, limit)
		if err != nil {
			return nil, fmt.Errorf("read export %s: %w", res.Path, err)
		}
		outs = []conversations.Outbound{{To: r.In.Address, PersonID: r.Person.ID,
			Text:       tr(lang, rvExportSent, r.Region.Name, year, res.Questions, res.Answered, res.Files, idfmt.Size(res.Size, lang)),
			Attachment: &conversations.Attachment{Name: res.Name, MIME: "application/zip", Data: data}}}
	}
	if res.Missing > 0 {
		outs = append(outs, r.Replies(tr(lang, rvExportMissing, res.Missing))...)
	}
	return outs, nil
}

// exportLink answers ekspor with expiring links to the pack and the workbook on the web
// dashboard: nothing is written now, the pack is made as it downloads.
func (e *reviews) exportLink(ctx context.Context, r *conversations.Request, year int) ([]conversations.Outbound, error) {
	lang := r.Lang()
	sum, err := e.d.Exporter.Summarize(ctx, r.Person.RegionCode, year)
	if errors.Is(err, conversations.ErrNotFound) {
		return r.Replies(tr(lang, rvExportNoInstrument, year)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("export summary %s %d: %w", r.Person.RegionCode, year, err)
	}
	pack, exp, err := e.d.Downloads.Download(ctx, r.Person, TargetPack, year, fmt.Sprintf("bukti-KLA-%s-%d.zip", r.Person.RegionCode, year))
	if err != nil {
		return nil, fmt.Errorf("pack link: %w", err)
	}
	book, _, err := e.d.Downloads.Download(ctx, r.Person, TargetWorkbook, year, fmt.Sprintf("ringkasan-KLA-%s-%d.xlsx", r.Person.RegionCode, year))
	if err != nil {
		return nil, fmt.Errorf("workbook link: %w", err)
	}
	return r.Replies(tr(lang, rvExportLink, r.Region.Name, year, sum.Questions, sum.Answered, sum.Files,
		idfmt.Size(sum.Size, lang), idfmt.DateTime(exp, r.Region.Location()), pack, book)), nil
}

// DefaultExportMaxBytes is the largest evidence pack sent in chat: below the 50 MB a
// Telegram bot may upload, with room for the multipart envelope.
const DefaultExportMaxBytes = 45 << 20

func readExport(res ExportResult, limit int64) ([]byte, error) {
	rc, err := res.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit+1))
}
