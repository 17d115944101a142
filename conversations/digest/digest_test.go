package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func sampleDigest() digest.Digest {
	wita := time.FixedZone("WITA", 8*3600)
	at := time.Date(2026, 11, 23, 7, 0, 0, 0, wita)
	last := func(days int) *time.Time { t := at.AddDate(0, 0, -days); return &t }
	return digest.Digest{
		Region: conversations.Region{Code: "7371", Name: "Kota Contoh", TimeZone: "Asia/Makassar",
			Deadline: date(2026, 12, 31)},
		At:          at.UTC(),
		Scores:      digest.DigestScores{Claimed: 612.44, Evidenced: 540.2, Verified: 120},
		Tier:        "Madya",
		TierBasis:   "diklaim",
		NextTier:    "Nindya",
		ToNextTier:  88.6,
		Previous:    &digest.DigestScores{Claimed: 600.1, Evidenced: 544.2, Verified: 120},
		PreviousDay: *date(2026, 11, 22),
		Clusters: []digest.DigestCluster{
			{Code: "KELEMBAGAAN", Claimed: 80, Evidenced: 60, Max: 130},
			{Code: "I", Claimed: 100, Evidenced: 90, Max: 110},
		},
		OPDs: []digest.DigestOPD{
			{Code: "DISDIK", Name: "Dinas Pendidikan", Answered: 20, Total: 20, LastAnswer: last(0)},
			{Code: "DINKES", Name: "Dinas Kesehatan", Answered: 3, Total: 20, LastAnswer: last(9)},
			{Code: "BAPPEDA", Name: "Bappeda", Answered: 0, Total: 12},
			{Code: "DUKCAPIL", Name: "Disdukcapil", Answered: 3, Total: 20, LastAnswer: last(1)},
		},
		Gaps: []digest.DigestGap{
			{QuestionCode: "3.2", Text: "Puskesmas ramah anak", Points: 25, OPD: "Dinas Kesehatan", Reason: "belum dijawab"},
		},
		QuickWins: []digest.DigestGap{
			{QuestionCode: "1.1", Text: "Perda KLA", Points: 12.5, OPD: "Bagian Hukum", Reason: "bukti belum ada"},
		},
		PendingReviews: 4,
		Unreachable:    []string{"Budi"},
		Unregistered:   []string{"Ani", "Joko", "Citra", "Dewi", "Eka", "Fajar"},
	}
}

func TestDigestText(t *testing.T) {
	t.Parallel()
	want := `📊 Ringkasan KLA Kota Contoh
Senin, 23 November 2026, 07.00 WITA

Nilai diklaim 612,4 · berbukti 540,2 · terverifikasi 120,0
Predikat (diklaim): Madya — kurang 88,6 poin ke Nindya
Sejak kemarin: diklaim +12,3 · berbukti −4,0 · terverifikasi ±0,0

Per klaster (berbukti/maks, diklaim):
• Kelembagaan 60,0/130 (80,0)
• Klaster I 90,0/110 (100,0)

OPD tertinggal (3):
• Bappeda 0/12 (0%) · belum pernah menjawab
• Dinas Kesehatan 3/20 (15%) · terakhir menjawab 9 hari lalu
• Disdukcapil 3/20 (15%) · terakhir menjawab kemarin

Cepat dapat poin:
• 1.1 Perda KLA — 12,5 poin · Bagian Hukum (bukti belum ada)

Celah terbesar:
• 3.2 Puskesmas ramah anak — 25,0 poin · Dinas Kesehatan (belum dijawab)

Menunggu tinjauan: 4 jawaban (ketik tinjau)
Tidak terjangkau (memblokir bot): Budi
Belum mendaftar: 6 orang (Ani, Joko, Citra, Dewi, Eka, +1 lainnya)
Tenggat: 31 Desember 2026 (38 hari lagi)`
	if got := digest.DigestText(sampleDigest()); got != want {
		t.Fatalf("digest text:\n%s\n--- want:\n%s", got, want)
	}
}

func TestDigestTextEdgeCases(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		change func(*digest.Digest)
		has    []string
		hasNot []string
	}{
		{"no tier, no yesterday, no deadline", func(d *digest.Digest) {
			d.Tier, d.NextTier, d.ToNextTier, d.TierBasis = "", "Pratama", 12.3, ""
			d.Previous = nil
			d.Region.Deadline = nil
		}, []string{"Predikat: Belum berpredikat — kurang 12,3 poin ke Pratama", "belum ada data kemarin",
			"Tenggat: belum ditetapkan (ketik tenggat DD/MM/YYYY)"}, nil},
		{"last snapshot older than yesterday", func(d *digest.Digest) { d.PreviousDay = *date(2026, 11, 20) },
			[]string{"Sejak 20 November 2026: diklaim +12,3"}, nil},
		{"long OPD names are cut", func(d *digest.Digest) {
			d.OPDs[1].Name = "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana"
		}, []string{"• Dinas Pemberdayaan Perempuan, Perlindun… 3/20"}, nil},
		{"top tier", func(d *digest.Digest) { d.Tier, d.NextTier, d.TierBasis = "KLA", "", "" },
			[]string{"Predikat: KLA\n"}, []string{"kurang"}},
		{"all done, nothing pending", func(d *digest.Digest) {
			for i := range d.OPDs {
				d.OPDs[i].Answered = d.OPDs[i].Total
			}
			d.PendingReviews, d.Unreachable, d.Unregistered = 0, nil, nil
		}, []string{"Semua OPD sudah menjawab", "Menunggu tinjauan: tidak ada"},
			[]string{"OPD tertinggal", "Tidak terjangkau", "Belum mendaftar"}},
		{"many laggards are cut", func(d *digest.Digest) {
			for i := range 8 {
				d.OPDs = append(d.OPDs, digest.DigestOPD{Code: string(rune('A' + i)), Name: "OPD " + string(rune('A'+i)), Total: 5, Answered: 4})
			}
		}, []string{"OPD tertinggal (11):", "• +6 OPD lainnya (ketik opd)"}, []string{"OPD F "}},
		{"deadline passed, Jayapura", func(d *digest.Digest) {
			d.Region.TimeZone = "Asia/Jayapura"
			d.Region.Deadline = date(2026, 11, 20)
		}, []string{"08.00 WIT\n", "Tenggat: 20 November 2026 (lewat 3 hari)"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := sampleDigest()
			c.change(&d)
			got := digest.DigestText(d)
			for _, s := range c.has {
				if !strings.Contains(got, s) {
					t.Errorf("missing %q in:\n%s", s, got)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(got, s) {
					t.Errorf("unexpected %q in:\n%s", s, got)
				}
			}
			if n := len([]rune(got)); n > 1500 {
				t.Errorf("digest is %d characters: too long for a phone", n)
			}
		})
	}
}

func TestOPDProgressText(t *testing.T) {
	t.Parallel()
	got := digest.OPDProgressText(sampleDigest())
	want := `Kemajuan per OPD — Kota Contoh, 23 November 2026
• Bappeda (BAPPEDA) 0/12 (0%) · belum pernah menjawab
• Dinas Kesehatan (DINKES) 3/20 (15%) · terakhir menjawab 9 hari lalu
• Disdukcapil (DUKCAPIL) 3/20 (15%) · terakhir menjawab kemarin
✅ 1 OPD sudah lengkap.
Ketik ingatkan KODE_OPD untuk mengingatkan satu OPD.`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}
