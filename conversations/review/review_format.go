package review

import (
	"context"
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/scoring"
)

// EvidenceOpener reads stored evidence files by blob key (storage/blob), so a reviewer
// gets the files themselves.
type EvidenceOpener interface {
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// reviewValue writes an item's answer value for people.
func reviewValue(it Item, lang string) string {
	v := conversations.FormatValue(scoring.Question{Type: it.AnswerType}, it.Value, lang)
	if v == "" {
		return "—"
	}
	return v
}

// reviewTime writes "23 November 2026 10.05 WIB" in the region's zone.
func reviewTime(t time.Time, loc *time.Location, lang string) string {
	t = t.In(loc)
	zone := idfmt.Zone(t)
	clock := t.Format("15.04")
	if lang == "en" {
		clock = t.Format("15:04")
	}
	return idfmt.Date(t, lang) + " " + clock + " " + zone
}

// reviewCard renders one answer for review: its evidence files first (as attachments,
// each with a caption), then the card with the decision buttons, so the buttons are the
// last thing on screen.
func (e *reviews) reviewCard(ctx context.Context, r *conversations.Request, it Item, waiting int, f Filter) []conversations.Outbound {
	lang := r.Lang()
	loc := r.Region.Location()
	var outs []conversations.Outbound
	var gone []string
	var names []string
	for i, file := range it.Evidence {
		names = append(names, file.Name)
		att, err := e.evidenceAttachment(ctx, file)
		if err != nil {
			e.d.Log.Warn("review: evidence not readable", "answer", it.AnswerID, "blob", file.BlobKey, "err", err)
			gone = append(gone, file.Name)
			continue
		}
		if att == nil {
			continue
		}
		outs = append(outs, conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Attachment: att,
			Text: tr(lang, rvEvidenceCaption, i+1, len(it.Evidence), it.QuestionCode, file.Name, idfmt.Size(file.Size, lang))})
	}

	var b strings.Builder
	filter := ""
	if d := describeFilter(f, lang); d != "" {
		filter = " (" + d + ")"
	}
	fmt.Fprintln(&b, tr(lang, rvHeader, waiting, filter))
	cluster := it.ClusterName
	if cluster == "" {
		cluster = scoring.ClusterNames[it.ClusterCode]
	}
	fmt.Fprintf(&b, "%s\nIndikator %s: %s\n\n%s — %s\n\n", cluster, it.IndicatorCode, it.IndicatorName, it.QuestionCode, it.QuestionText)
	opd := it.OPDName
	if opd == "" {
		opd = "—"
	}
	fmt.Fprintln(&b, tr(lang, rvAnsweredBy, opd, it.PersonName, reviewTime(it.AnsweredAt, loc, lang), it.Version))
	if it.State == conversations.ReviewEdited {
		fmt.Fprintln(&b, tr(lang, rvEdited, it.PriorState.Label(), conversations.Shorten(it.LastNote, 100)))
	}
	fmt.Fprintln(&b, tr(lang, rvAnswer, reviewValue(it, lang)))
	if n := strings.TrimSpace(it.Narrative); n != "" {
		fmt.Fprintln(&b, tr(lang, rvNarrative, conversations.Shorten(n, 600)))
	}
	switch {
	case len(it.Evidence) == 0:
		b.WriteString(tr(lang, rvNoEvidence))
		if it.EvidenceRequired {
			b.WriteString("\n" + tr(lang, rvEvidenceMissing))
		}
	default:
		b.WriteString(tr(lang, rvEvidenceList, len(it.Evidence), strings.Join(names, ", ")))
	}
	for _, g := range gone {
		b.WriteString("\n" + tr(lang, rvEvidenceGone, g))
	}
	id := strconv.FormatInt(it.AnswerID, 10)
	card := conversations.Outbound{To: r.In.Address, PersonID: r.Person.ID, Text: b.String()}
	card = conversations.WithOptions(card, lang, []conversations.Button{
		{Label: tr(lang, rvApprove), Data: "rv:ok:" + id},
		{Label: tr(lang, rvRevise), Data: "rv:fix:" + id},
		{Label: tr(lang, rvReject), Data: "rv:no:" + id},
		{Label: tr(lang, rvSkip), Data: "rv:skip:" + id},
	})
	return append(outs, card)
}

// evidenceAttachment reads one evidence file for forwarding; nil when no opener is wired.
func (e *reviews) evidenceAttachment(ctx context.Context, f File) (*conversations.Attachment, error) {
	if e.d.EvidenceFiles == nil {
		return nil, nil
	}
	rc, err := e.d.EvidenceFiles.Open(ctx, f.BlobKey)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, e.d.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	// Small JPEG/PNG show as pictures; the rest (and big photos, which Telegram would
	// refuse or recompress as photos) go as documents, byte for byte.
	photo := (f.MIME == "image/jpeg" || f.MIME == "image/png") && len(data) <= 5<<20
	return &conversations.Attachment{Name: f.Name, MIME: f.MIME, Data: data, Photo: photo}, nil
}

// historyText writes every version of a question's answer with its reviews.
func historyText(versions []Item, loc *time.Location, lang string) string {
	last := versions[len(versions)-1]
	var b strings.Builder
	fmt.Fprintln(&b, tr(lang, rvHistoryTitle, last.QuestionCode, conversations.Shorten(last.QuestionText, 120)))
	for _, v := range versions {
		files := "0 berkas"
		if lang == "en" {
			files = "0 files"
		}
		if len(v.Evidence) > 0 {
			var names []string
			for _, f := range v.Evidence {
				names = append(names, f.Name)
			}
			files = strings.Join(names, ", ")
		}
		opd := v.OPDName
		if opd == "" {
			opd = "—"
		}
		fmt.Fprintln(&b, "\n"+tr(lang, rvHistoryVersion, v.Version, reviewTime(v.AnsweredAt, loc, lang), v.PersonName, opd,
			reviewValue(v, lang), files))
		if n := strings.TrimSpace(v.Narrative); n != "" {
			fmt.Fprintln(&b, "   "+tr(lang, rvNarrative, conversations.Shorten(n, 200)))
		}
		for _, rv := range v.Reviews {
			line := rv.State.Label()
			if rv.Note != "" {
				line += fmt.Sprintf(" %q", rv.Note)
			}
			fmt.Fprintln(&b, tr(lang, rvHistoryReview, line, rv.ReviewerName, reviewTime(rv.At, loc, lang)))
		}
	}
	b.WriteString("\n" + tr(lang, rvHistoryNow, last.State.Label()))
	return b.String()
}
