package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
)

// questionRow is one question in the list.
type questionRow struct {
	Number                  int
	Code, Text              string
	Cluster, Indicator      string
	OPDs                    string
	State, StateLabel       string
	Value                   string
	Files                   int
	Claimed, Evidenced, Max string
}

type filterOption struct {
	Value, Label string
	Selected     bool
}

type questionsView struct {
	Region                             string
	Rows                               []questionRow
	Total, Shown                       int
	Clusters, Indicators, OPDs, States []filterOption
	Page, Pages                        int
	PrevURL, NextURL                   string
}

// questionState is the one state a question shows in the list and the filter.
func questionState(res scoring.QuestionResult, it *review.Item) string {
	switch {
	case !res.Answered:
		return stUnanswered
	case res.Review == scoring.ReviewNeedsRevision || res.Review == scoring.ReviewRejected:
		return stSentBack
	case res.EvidenceMissing:
		return stNoEvidence
	case res.Review == scoring.ReviewApproved:
		return stApproved
	}
	return stWaiting
}

func (s *Server) questions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.loadRegion(ctx, r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	inst, err := s.d.Store.Instrument(ctx, d.Year)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	answers, err := s.d.Store.RegionAnswers(ctx, d.Region.Code, d.Year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byCode := map[string]*review.Item{}
	for i := range answers {
		byCode[answers[i].QuestionCode] = &answers[i]
	}
	results := map[string]scoring.QuestionResult{}
	for _, res := range d.Score.Report.Results {
		results[res.Code] = res
	}
	q := r.URL.Query()
	fCluster, fIndicator, fOPD, fState := q.Get("klaster"), q.Get("indikator"), q.Get("opd"), q.Get("status")
	v := questionsView{Region: d.Region.Code}
	v.Clusters = append(v.Clusters, filterOption{"", "Semua klaster", fCluster == ""})
	v.Indicators = append(v.Indicators, filterOption{"", "Semua indikator", fIndicator == ""})
	v.OPDs = append(v.OPDs, filterOption{"", "Semua OPD", fOPD == ""})
	v.States = append(v.States, filterOption{"", "Semua status", fState == ""})
	for _, st := range questionStates {
		v.States = append(v.States, filterOption{st, stateLabel(st), st == fState})
	}
	for _, o := range d.Score.Report.OPDs {
		if o.Code != "" {
			v.OPDs = append(v.OPDs, filterOption{o.Code, o.Name, o.Code == fOPD})
		}
	}
	var rows []questionRow
	n := 0
	for _, c := range inst.Clusters {
		v.Clusters = append(v.Clusters, filterOption{c.Code, clusterName(c), c.Code == fCluster})
		for _, ind := range c.Indicators {
			if fCluster == "" || fCluster == c.Code {
				v.Indicators = append(v.Indicators, filterOption{ind.Code, "Indikator " + ind.Code + " — " + shorten(ind.Name, 50), ind.Code == fIndicator})
			}
			for _, qu := range ind.Questions {
				n++
				res := results[qu.Code]
				it := byCode[qu.Code]
				st := questionState(res, it)
				if (fCluster != "" && fCluster != c.Code) || (fIndicator != "" && fIndicator != ind.Code) ||
					(fState != "" && fState != st) || (fOPD != "" && !hasOPD(res.OPDs, fOPD)) {
					continue
				}
				row := questionRow{Number: n, Code: qu.Code, Text: shorten(qu.Text, 160), Cluster: clusterName(c),
					Indicator: ind.Name, OPDs: opdNames(res.OPDs),
					State: st, StateLabel: stateLabel(st), Claimed: points(res.Claimed), Evidenced: points(res.Evidenced), Max: points(res.Max)}
				if it != nil {
					row.Value = shorten(conversations.FormatValue(qu, it.Value, "id"), 60)
					row.Files = len(it.Evidence)
				}
				rows = append(rows, row)
			}
		}
	}
	v.Total = len(rows)
	size := s.cfg.PageSize
	v.Pages = (len(rows) + size - 1) / size
	v.Page, _ = strconv.Atoi(q.Get("hal"))
	if v.Page < 1 {
		v.Page = 1
	}
	if v.Page > v.Pages && v.Pages > 0 {
		v.Page = v.Pages
	}
	from := (v.Page - 1) * size
	to := min(from+size, len(rows))
	if from < len(rows) {
		v.Rows = rows[from:to]
	}
	v.Shown = len(v.Rows)
	pageURL := func(p int) string {
		qq := url.Values{}
		for k, vals := range q {
			if k != "hal" && len(vals) > 0 && vals[0] != "" {
				qq.Set(k, vals[0])
			}
		}
		qq.Set("hal", strconv.Itoa(p))
		return "?" + qq.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	s.render(w, r, http.StatusOK, "pertanyaan", frame{Title: "Pertanyaan", Nav: "pertanyaan", Data: v})
}

func hasOPD(refs []scoring.OPDRef, code string) bool {
	for _, o := range refs {
		if o.Code == code {
			return true
		}
	}
	return false
}

func clusterName(c scoring.Cluster) string { return scoring.ClusterLabel(c.Code, c.Name) }

// fileView is one evidence file.
type fileView struct {
	URL, Name, Size, Kind string // Kind: image, pdf, file
}

// reviewView is one recorded review.
type reviewView struct {
	State, Note, Reviewer, At string
}

// versionView is one answer version.
type versionView struct {
	AnswerID          int64
	Version           int
	Value, Narrative  string
	Person, OPD, At   string
	Channel           string
	State, StateLabel string
	Files             []fileView
	Reviews           []reviewView
	Current           bool
}

type detailView struct {
	Region                  string
	Code, Text, Help        string
	Cluster, Indicator      string
	OPDs                    string
	EvidenceRequired        bool
	Max, Claimed, Evidenced string
	Verified                string
	Versions                []versionView // newest first
	Current                 *versionView
	CanReview               bool
	Flash, Error            string
	Note                    string // the note typed before an error
	Seen                    string // the state the form was rendered on
	FromQueue               bool
	CSRF                    string
	Skip, SkipURL           string // the answers set aside in this review round
	FlashState              string // the decision the flash is about
}

func (s *Server) question(w http.ResponseWriter, r *http.Request) {
	s.questionPage(w, r, http.StatusOK, "", "", "")
}

// questionPage renders a question with its history; status, errText and note come from
// a refused review.
func (s *Server) questionPage(w http.ResponseWriter, r *http.Request, status int, errText, note, flash string) {
	ctx := r.Context()
	vw := viewerFrom(ctx)
	d, err := s.loadRegion(ctx, r)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	code := r.PathValue("code")
	inst, err := s.d.Store.Instrument(ctx, d.Year)
	if err != nil {
		s.regionError(w, r, err)
		return
	}
	var q *scoring.Question
	var cl scoring.Cluster
	var ind scoring.Indicator
	for _, c := range inst.Clusters {
		for _, i := range c.Indicators {
			for k := range i.Questions {
				if i.Questions[k].Code == code {
					q, cl, ind = &i.Questions[k], c, i
				}
			}
		}
	}
	if q == nil {
		s.notFound(w, r)
		return
	}
	versions, err := s.d.Store.ReviewHistory(ctx, d.Region.Code, d.Year, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var res scoring.QuestionResult
	for _, x := range d.Score.Report.Results {
		if x.Code == code {
			res = x
		}
	}
	v := detailView{Region: d.Region.Code, Code: q.Code, Text: q.Text, Help: q.Help, Cluster: clusterName(cl),
		Indicator: "Indikator " + ind.Code + " — " + ind.Name, OPDs: opdNames(res.OPDs),
		EvidenceRequired: q.EvidenceRequired, Max: points(res.Max), Claimed: points(res.Claimed),
		Evidenced: points(res.Evidenced), Verified: points(res.Verified),
		Error: errText, Note: note, Flash: flash, FromQueue: r.URL.Query().Get("dari") == "tinjau", CSRF: vw.csrf}
	if v.Flash == "" {
		v.Flash = decisionFlash(r.URL.Query())
	}
	if st := conversations.ReviewState(r.URL.Query().Get("hasil")); st.Recordable() {
		v.FlashState = string(st)
	}
	for i := len(versions) - 1; i >= 0; i-- {
		it := versions[i]
		vv := versionView{AnswerID: it.AnswerID, Version: it.Version, Value: conversations.FormatValue(*q, it.Value, "id"),
			Narrative: it.Narrative, Person: it.PersonName, OPD: it.OPDName, At: dateTime(it.AnsweredAt, d.Loc),
			Channel: it.Channel, State: string(it.State), StateLabel: it.State.Label(), Current: i == len(versions)-1}
		for _, f := range it.Evidence {
			vv.Files = append(vv.Files, fileView{URL: evidenceURL(d.Region.Code, f), Name: f.Name, Size: size(f.Size), Kind: fileKind(f.MIME)})
		}
		for _, rv := range it.Reviews {
			vv.Reviews = append(vv.Reviews, reviewView{State: rv.State.Label(), Note: rv.Note, Reviewer: rv.ReviewerName, At: dateTime(rv.At, d.Loc)})
		}
		v.Versions = append(v.Versions, vv)
	}
	skip := skipList(r.URL.Query().Get("lewati"))
	v.Skip = joinIDs(skip)
	if len(v.Versions) > 0 {
		v.SkipURL = "/r/" + url.PathEscape(d.Region.Code) + "/tinjau?lewati=" + joinIDs(append(skip, v.Versions[0].AnswerID))
		v.Current = &v.Versions[0]
		v.Seen = v.Current.State
		v.CanReview = MayReview(vw.Person)
	}
	nav := "pertanyaan"
	if v.FromQueue {
		nav = "tinjau"
	}
	s.render(w, r, status, "detail", frame{Title: "Pertanyaan " + q.Code, Nav: nav, Data: v})
}

func evidenceURL(region string, f review.File) string {
	return fmt.Sprintf("/r/%s/bukti/%d/%s", url.PathEscape(region), f.ID, url.PathEscape(safeFileName(f.Name)))
}

// fileKind says how the page shows a file: pictures inline, PDFs in the browser's
// viewer (a link that opens inline), anything else as a download.
func fileKind(mime string) string {
	switch {
	case inlineImage(mime):
		return "image"
	case mime == "application/pdf":
		return "pdf"
	}
	return "file"
}

// inlineImage lists the picture types shown inline. SVG is not one: it can carry script.
func inlineImage(mime string) bool {
	switch strings.ToLower(mime) {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}
