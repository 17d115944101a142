package intent

import "testing"

var tiers = []string{"Pratama", "Madya", "Nindya", "Utama", "KLA"}

// TestMatch is a table of phrasings heads and coordinators really write (word orders,
// chat abbreviations, typos), with the intent each must get.
func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want Intent
	}{
		// The score, in any order.
		{"berapa nilai kita?", Intent{Kind: Score}},
		{"Nilai kita berapa?", Intent{Kind: Score}},
		{"skor KLA kita sekarang berapa?", Intent{Kind: Score}},
		{"nilai KLA kita berapa?", Intent{Kind: Score}},
		{"Kita peringkat apa?", Intent{Kind: Score}},
		{"predikat kita sekarang apa ya", Intent{Kind: Score}},
		{"posisi kita di mana sekarang", Intent{Kind: Score}},
		{"brp skor kita skrg", Intent{Kind: Score}},
		{"nilainya berapa pak?", Intent{Kind: Score}},
		{"nilia kita brp", Intent{Kind: Score}},       // a swapped pair
		{"predikatnya apa?", Intent{Kind: Score}},     // a clitic
		{"peringkta kota kita?", Intent{Kind: Score}}, // a typo in a long word
		{"kita dapat poin berapa", Intent{Kind: Score}},
		{"capaian KLA kita gimana?", Intent{Kind: Score}},
		{"What is our score?", Intent{Kind: Score}},
		// A tier as a goal.
		{"apa yang kurang untuk nindya?", Intent{Kind: ToTier, Tier: "Nindya"}},
		{"Apa yg kurang utk NINDYA", Intent{Kind: ToTier, Tier: "Nindya"}},
		{"bisa jadi utama tahun ini?", Intent{Kind: ToTier, Tier: "Utama"}},
		{"berapa lagi untuk KLA?", Intent{Kind: ToTier, Tier: "KLA"}},
		{"kurang berapa poin ke madya?", Intent{Kind: ToTier, Tier: "Madya"}},
		{"supaya naik ke nindia apa yg harus dikerjakan", Intent{Kind: ToTier, Tier: "Nindya"}},
		{"apa yang menghambat kita naik predikat?", Intent{Kind: ToTier}},
		{"predikat berikutnya butuh berapa poin?", Intent{Kind: ToTier}},
		// OPDs behind.
		{"OPD mana yang belum?", Intent{Kind: LaggingOPDs}},
		{"dinas mana yang tertinggal", Intent{Kind: LaggingOPDs}},
		{"opd yg blm ngisi siapa aja", Intent{Kind: LaggingOPDs}},
		{"dinas apa yang paling lambat?", Intent{Kind: LaggingOPDs}},
		{"progres per OPD gimana", Intent{Kind: LaggingOPDs}},
		// The weakest cluster.
		{"klaster mana yang paling rendah?", Intent{Kind: WeakestCluster}},
		{"klaster yg paling lemah apa", Intent{Kind: WeakestCluster}},
		{"Kluster terendah?", Intent{Kind: WeakestCluster}},
		{"klaster mana yang masih kurang", Intent{Kind: WeakestCluster}},
		{"nilai per klaster", Intent{Kind: WeakestCluster}},
		// Gaps.
		{"apa saja kekurangan kita?", Intent{Kind: Gaps}},
		{"kekurangannya apa aja?", Intent{Kind: Gaps}},
		{"apa kendala kita", Intent{Kind: Gaps}},
		{"masalahnya di mana?", Intent{Kind: Gaps}},
		{"PR kita apa saja", Intent{Kind: Gaps}},
		{"apa yg harus dibenahi", Intent{Kind: Gaps}},
		// The deadline.
		{"kapan tenggatnya?", Intent{Kind: Deadline}},
		{"tenggat kapan", Intent{Kind: Deadline}},
		{"deadline nya kapan ya", Intent{Kind: Deadline}},
		{"batas waktu pengisian kapan?", Intent{Kind: Deadline}},
		{"kpn harus selesai?", Intent{Kind: Deadline}},
		{"kapan ditutup?", Intent{Kind: Deadline}},
		{"tengat waktunya kapan", Intent{Kind: Deadline}},
		// Progress.
		{"gimana progres KLA?", Intent{Kind: Progress}},
		{"bagaimana kemajuan pengisian?", Intent{Kind: Progress}},
		{"sudah sejauh mana?", Intent{Kind: Progress}},
		{"progress nya gmn", Intent{Kind: Progress}},
		{"perkembangan KLA bagaimana", Intent{Kind: Progress}},
		{"progess kita", Intent{Kind: Progress}}, // a missing letter
		// Not a question for the matcher.
		{"selamat pagi pak", Intent{}},
		{"terima kasih", Intent{}},
		{"", Intent{}},
		{"?!", Intent{}},
		{"opd", Intent{}},
		{"kapan", Intent{}},
		{"baik, saya mengerti", Intent{}},
	}
	if n := len(tests); n < 40 {
		t.Fatalf("only %d phrasings; keep at least 40", n)
	}
	for _, tt := range tests {
		got, ok := Match(tt.text, tiers)
		if got != tt.want || ok != (tt.want.Kind != Unknown) {
			t.Errorf("Match(%q) = %v %q, %v; want %v %q", tt.text, got.Kind, got.Tier, ok, tt.want.Kind, tt.want.Tier)
		}
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"nilai", "nilai", 0},
		{"nilia", "nilai", 1},
		{"tengat", "tenggat", 1},
		{"progess", "progress", 1},
		{"klaster", "kluster", 1},
		{"abc", "xyz", 3},
		{"madya", "media", 2},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b, 9); got != tt.want {
			t.Errorf("distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := distance("pratama", "x", 2); got != 2 {
		t.Errorf("distance with limit = %d; want the limit 2", got)
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	if Deadline.String() != "deadline" || Kind(99).String() != "unknown" {
		t.Errorf("names: %s %s", Deadline, Kind(99))
	}
}
