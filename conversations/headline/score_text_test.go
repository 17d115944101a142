package headline

import (
	"github.com/klabot/klabot/conversations"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/scoring"
)

// scoreFixture is the worked example of docs/scoring.md, read at 23 November 2026 14.05 WIB.
func scoreFixture(t *testing.T, answers []scoring.AnswerState) conversations.RegionScore {
	t.Helper()
	inst := scoring.Instrument{Year: 2026, Name: "Contoh", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "1.1", Text: "Bentuk kebijakan KLA?", Type: scoring.Choice, Weight: 2, EvidenceRequired: true,
					Options:  []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.6}},
					OPDCodes: []string{"DP3A", "BAGHUKUM"}},
				{Code: "1.2", Text: "Ada SK Gugus Tugas KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true,
					OPDCodes: []string{"DP3A", "BAPPEDA"}},
			}},
		}},
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{
			{Code: "4", Name: "Akta kelahiran", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "4.1", Text: "Persentase anak yang sudah memiliki akta kelahiran di seluruh kecamatan dan desa?", Type: scoring.Percent, Target: 100, Weight: 1,
					OPDCodes: []string{"DISDUKCAPIL"}},
				{Code: "4.2", Text: "Jumlah layanan jemput bola per tahun?", Type: scoring.Number, Weight: 1, EvidenceRequired: true,
					Bands:    []scoring.Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}},
					OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
	opds := []scoring.OPD{
		{Code: "DISDUKCAPIL", Name: "Disdukcapil"},
		{Code: "DP3AP2KB", Name: "DP3AP2KB", AnswersFor: []string{"DP3A", "DPPKB"}},
		{Code: "BAPPEDA", Name: "Bappeda"},
	}
	if answers == nil {
		answers = []scoring.AnswerState{
			{QuestionCode: "1.1", Answered: true, Value: scoring.Value{Text: "Perbup, SK atau SE"}, Files: 1, Review: scoring.ReviewApproved},
			{QuestionCode: "1.2", Answered: true, Value: scoring.Value{Text: "ya"}},
			{QuestionCode: "4.1", Answered: true, Value: scoring.Value{Number: 87.5}, Review: scoring.ReviewNeedsRevision},
			{QuestionCode: "4.2", Skipped: true},
		}
	}
	region := conversations.Region{Code: "KOTA-CONTOH", Name: "Kota Contoh", TimeZone: "Asia/Jakarta", Year: 2026}
	return conversations.RegionScore{
		Region: region, Year: 2026,
		At:     time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC),
		Report: scoring.NewModel(inst, nil).Score(opds, answers),
	}
}

func TestScoreTextForHead(t *testing.T) {
	t.Parallel()
	got := ScoreAnswer(scoreFixture(t, nil), ScoreQuestion{Kind: ScoreOverview}, conversations.Person{Role: conversations.RoleHead}, nil)
	want := `📈 Nilai KLA Kota Contoh: 415,0 — Belum berpredikat
Ke Pratama (500,0) kurang 85,0 poin.
Diklaim 615,0 · berbukti 415,0 · terverifikasi 240,0
(predikat dihitung dari nilai berbukti)

Yang paling cepat menambah nilai:
1. 1.2 Ada SK Gugus Tugas KLA? (+200,0, bukti belum ada) · DP3AP2KB, Bappeda
2. 4.1 Persentase anak yang sudah memiliki akta kelahiran di… (+25,0, perlu perbaikan) · Disdukcapil
3. 4.2 Jumlah layanan jemput bola per tahun? (+200,0, belum dijawab) · belum ada OPD

Data per 23 November 2026 14.05 WIB.`
	if got != want {
		t.Errorf("got:\n%s\n\nwant:\n%s", got, want)
	}
	if got != ScoreText(scoreFixture(t, nil)) {
		t.Error("ScoreText differs from the head's answer")
	}
}

func TestScoreTextToNamedTier(t *testing.T) {
	t.Parallel()
	rs := scoreFixture(t, nil)
	got := ScoreAnswer(rs, ScoreQuestion{Kind: ScoreToTier, Tier: "Nindya"}, conversations.Person{Role: conversations.RoleCoordinator}, nil)
	for _, want := range []string{
		"Ke Nindya (701,0) kurang 286,0 poin. Bisa dicapai dengan menutup 3 celah teratas.",
		"1. 1.2 ", "3. 4.2 ",
		"Data per 23 November 2026 14.05 WIB.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	got = ScoreAnswer(rs, ScoreQuestion{Kind: ScoreToTier, Tier: "Pratama"}, conversations.Person{Role: conversations.RoleHead}, nil)
	if !strings.Contains(got, "Ke Pratama (500,0) kurang 85,0 poin. Bisa dicapai dengan menutup 1 celah teratas.") ||
		strings.Contains(got, "2. ") {
		t.Errorf("route to Pratama:\n%s", got)
	}
	got = ScoreAnswer(rs, ScoreQuestion{Kind: ScoreToTier, Tier: "KLA"}, conversations.Person{Role: conversations.RoleHead}, nil)
	if !strings.Contains(got, "Ke KLA (901,0) kurang 486,0 poin. Bisa dicapai dengan menutup 4 celah teratas.") {
		t.Errorf("route to KLA:\n%s", got)
	}
	beyond := append(scoring.Tiers{}, scoring.DefaultTiers...)
	beyond = append(beyond, scoring.Tier{Name: "Sempurna", Min: 1000.1})
	got = ScoreAnswer(rs, ScoreQuestion{Kind: ScoreToTier, Tier: "Sempurna"}, conversations.Person{Role: conversations.RoleHead}, beyond)
	if !strings.Contains(got, "Ke Sempurna (1.000,1) kurang 585,1 poin. Semua celah yang ada belum cukup untuk itu.") {
		t.Errorf("route beyond the maximum:\n%s", got)
	}
}

func TestScoreTextTierReached(t *testing.T) {
	t.Parallel()
	full := []scoring.AnswerState{
		{QuestionCode: "1.1", Answered: true, Value: scoring.Value{Text: "Perda"}, Files: 1},
		{QuestionCode: "1.2", Answered: true, Value: scoring.Value{Text: "ya"}, Files: 1},
		{QuestionCode: "4.1", Answered: true, Value: scoring.Value{Number: 100}},
		{QuestionCode: "4.2", Answered: true, Value: scoring.Value{Number: 3}, Files: 1},
	}
	rs := scoreFixture(t, full) // 900: Utama, 1 short of KLA
	got := ScoreAnswer(rs, ScoreQuestion{Kind: ScoreToTier, Tier: "Madya"}, conversations.Person{Role: conversations.RoleHead}, nil)
	for _, want := range []string{
		"Nilai KLA Kota Contoh: 900,0 — Utama",
		"Madya (601,0) sudah tercapai. Ke KLA kurang 1,0 poin.",
		"belum ada jawaban yang ditinjau koordinator",
		"4.2 Jumlah layanan jemput bola per tahun? (+100,0, jawaban sebagian)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestScoreTextLaggingOPDs(t *testing.T) {
	t.Parallel()
	got := ScoreAnswer(scoreFixture(t, nil), ScoreQuestion{Kind: ScoreLaggingOPDs}, conversations.Person{Role: conversations.RoleHead}, nil)
	if !strings.Contains(got, "Semua OPD sudah menjawab semua pertanyaannya.") {
		t.Errorf("all OPDs answered, got:\n%s", got)
	}
	rs := scoreFixture(t, []scoring.AnswerState{{QuestionCode: "1.1", Answered: true, Value: scoring.Value{Text: "Perda"}}})
	got = ScoreAnswer(rs, ScoreQuestion{Kind: ScoreLaggingOPDs}, conversations.Person{Role: conversations.RoleHead}, nil)
	want := "\nOPD yang belum selesai (3):\n• Disdukcapil 0/1 (0%)\n• Bappeda 0/1 (0%)\n• DP3AP2KB 1/2 (50%)\n"
	if !strings.Contains(got, want) {
		t.Errorf("missing %q in:\n%s", want, got)
	}
}

func TestScoreTextForFocalPoint(t *testing.T) {
	t.Parallel()
	rs := scoreFixture(t, nil)
	got := ScoreAnswer(rs, ScoreQuestion{Kind: ScoreOverview}, conversations.Person{Role: conversations.RoleFocalPoint, OPDCode: "DP3AP2KB"}, nil)
	want := `📋 Progres DP3AP2KB: 2 dari 2 pertanyaan terjawab (100%)
Poin berbukti 240,0 dari 500,0 (diklaim 340,0).
Bukti belum ada: 1 · perlu perbaikan: 0

Yang paling cepat menambah nilai:
1. 1.2 Ada SK Gugus Tugas KLA? (+200,0, bukti belum ada) · DP3AP2KB, Bappeda
2. 1.1 Bentuk kebijakan KLA? (+160,0, jawaban sebagian) · DP3AP2KB

Nilai daerah: 415,0 — Belum berpredikat. Data per 23 November 2026 14.05 WIB.`
	if got != want {
		t.Errorf("got:\n%s\n\nwant:\n%s", got, want)
	}
	got = ScoreAnswer(rs, ScoreQuestion{}, conversations.Person{Role: conversations.RoleFocalPoint, OPDCode: "DINKES"}, nil)
	if !strings.HasPrefix(got, "OPD Anda belum terdaftar di Kota Contoh") {
		t.Errorf("unknown OPD: %s", got)
	}
}

func TestParseScoreQuestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want ScoreQuestion
		ok   bool
	}{
		{"berapa nilai kita?", ScoreQuestion{Kind: ScoreOverview}, true},
		{"Kita peringkat apa?", ScoreQuestion{Kind: ScoreOverview}, true},
		{"predikat kita sekarang apa ya", ScoreQuestion{Kind: ScoreOverview}, true},
		{"nilai KLA kita berapa?", ScoreQuestion{Kind: ScoreOverview}, true},
		{"apa yang kurang untuk nindya?", ScoreQuestion{Kind: ScoreToTier, Tier: "Nindya"}, true},
		{"Apa yg kurang utk NINDYA", ScoreQuestion{Kind: ScoreToTier, Tier: "Nindya"}, true},
		{"bisa jadi utama tahun ini?", ScoreQuestion{Kind: ScoreToTier, Tier: "Utama"}, true},
		{"berapa lagi untuk KLA?", ScoreQuestion{Kind: ScoreToTier, Tier: "KLA"}, true},
		{"OPD mana yang belum?", ScoreQuestion{Kind: ScoreLaggingOPDs}, true},
		{"dinas mana yang tertinggal", ScoreQuestion{Kind: ScoreLaggingOPDs}, true},
		{"selamat pagi pak", ScoreQuestion{}, false},
		{"", ScoreQuestion{}, false},
		{"?!", ScoreQuestion{}, false},
		{"opd", ScoreQuestion{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseScoreQuestion(tt.text, nil)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseScoreQuestion(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
	if !strings.Contains(ScoreHelpText(), "apa yang kurang untuk nindya?") {
		t.Error("help text does not list the tier question")
	}
}

func TestGapOPDNames(t *testing.T) {
	t.Parallel()
	g := scoring.Gap{OPDs: []scoring.OPDRef{
		{Code: "DINKES", Name: "Dinas Kesehatan"},
		{Code: "DP3AP2KB", Name: "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana"},
		{Code: "BNN"},
	}}
	if got := GapOPDNames(g); got != "Dinas Kesehatan, DP3AP2KB, BNN" {
		t.Errorf("GapOPDNames = %q", got)
	}
	if got := GapOPDCodes(g); got != "DINKES, DP3AP2KB, BNN" {
		t.Errorf("GapOPDCodes = %q", got)
	}
	if GapOPDNames(scoring.Gap{}) != "belum ada OPD" || GapOPDCodes(scoring.Gap{}) != "—" {
		t.Error("a gap without OPDs must say so")
	}
}

func TestScoreTextInEnglish(t *testing.T) {
	t.Parallel()
	rs := scoreFixture(t, nil)
	got := ScoreAnswer(rs, ScoreQuestion{Kind: ScoreOverview}, conversations.Person{Role: conversations.RoleHead, Language: "en"}, nil)
	for _, want := range []string{
		"📈 KLA score of Kota Contoh: 415,0 — no tier yet\n85,0 more points to Pratama (500,0).\n",
		"Claimed 615,0 · evidenced 415,0 · verified 240,0\n(the tier is based on the evidenced score)\n",
		"What raises the score fastest:\n1. 1.2 Ada SK Gugus Tugas KLA? (+200,0, evidence missing) · DP3AP2KB, Bappeda\n",
		"3. 4.2 Jumlah layanan jemput bola per tahun? (+200,0, not answered) · no OPD\n",
		"Data as of 23 November 2026 14.05 WIB.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	got = ScoreAnswer(rs, ScoreQuestion{Kind: ScoreOverview}, conversations.Person{Role: conversations.RoleFocalPoint, OPDCode: "DP3AP2KB", Language: "en"}, nil)
	if !strings.HasPrefix(got, "📋 Progress of DP3AP2KB: 2 of 2 questions answered (100%)\nEvidenced points 240,0 of 500,0 (claimed 340,0).\n") {
		t.Errorf("focal point in English:\n%s", got)
	}
	if _, ok := ParseScoreQuestion("what is our tier?", nil); !ok {
		t.Error("English question not recognised")
	}
}

func TestLooksLikeQuestion(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"berapa nilai kita":                       true,
		"OPD mana yang belum?":                    true,
		"nilai buktinya kurang, mohon diperbaiki": false,
		"Kita peringkat apa":                      true,
		"foto kurang jelas":                       false,
		"What is our tier":                        true,
	} {
		if got := looksLikeQuestion(text); got != want {
			t.Errorf("looksLikeQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}
