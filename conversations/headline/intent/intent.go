// Package intent understands what a head (Bupati, Wali Kota, Sekda) asks in plain
// Indonesian: "Nilai kita berapa?", "kapan tenggatnya?", "klaster mana yang paling
// rendah?". It is a small keyword matcher, not a list of sentences: words are folded
// (case, "-nya"/"-kah"/"-lah", chat abbreviations, synonyms), compared with a little typo
// tolerance, and the concepts found decide the intent, whatever their order.
package intent

import (
	"strings"
	"unicode"
)

// Kind is what a question asks for.
type Kind int

// The intents, from the most specific down to the plain score question.
const (
	Unknown        Kind = iota
	Score               // "berapa nilai kita?", "kita peringkat apa?"
	ToTier              // "apa yang kurang untuk nindya?", "bisa naik predikat?"
	LaggingOPDs         // "OPD mana yang belum?"
	WeakestCluster      // "klaster mana yang paling rendah?"
	Gaps                // "apa saja kekurangan kita?"
	Deadline            // "kapan tenggatnya?"
	Progress            // "gimana progres KLA?"
)

var kindNames = [...]string{"unknown", "score", "to_tier", "lagging_opds", "weakest_cluster", "gaps", "deadline", "progress"}

// String names the kind (for tests and logs).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Intent is a recognised question. Tier is set for ToTier when a tier was named
// ("nindya"); an empty Tier means the next one.
type Intent struct {
	Kind Kind
	Tier string
}

// concept is a meaning several words share.
type concept int

const (
	cScore concept = iota + 1
	cDeadline
	cProgress
	cCluster
	cLow
	cGap
	cOPD
	cLag
	cNext   // "berikutnya", "naik": a goal without a tier name
	cWhen   // "kapan"
	cFinish // "selesai", "ditutup", "dikumpulkan": with kapan, a deadline
	cTierLead
)

// lexicon maps words (folded, see fold) to concepts. Words of five letters or more are
// also found with one typo (two from eight letters).
var lexicon = map[string]concept{
	"nilai": cScore, "skor": cScore, "score": cScore, "poin": cScore, "point": cScore, "peringkat": cScore,
	"predikat": cScore, "tier": cScore, "posisi": cScore, "capaian": cScore, "ranking": cScore,
	"rangking": cScore, "rank": cScore, "level": cScore, "status": cScore, "hasil": cScore, "angka": cScore,

	"tenggat": cDeadline, "deadline": cDeadline, "tengat": cDeadline, "batas": cDeadline,
	"jatuh": cDeadline, "tempo": cDeadline, "penutupan": cDeadline, "due": cDeadline,

	"progres": cProgress, "progress": cProgress, "kemajuan": cProgress, "perkembangan": cProgress,
	"sejauh": cProgress, "pengisian": cProgress, "terisi": cProgress, "diisi": cProgress, "isian": cProgress,

	"klaster": cCluster, "cluster": cCluster, "kluster": cCluster, "bidang": cCluster,

	"rendah": cLow, "terendah": cLow, "lemah": cLow, "terlemah": cLow, "buruk": cLow, "terburuk": cLow,
	"jelek": cLow, "terjelek": cLow, "kecil": cLow, "terkecil": cLow, "minim": cLow, "lowest": cLow, "weakest": cLow,

	"kurang": cGap, "kekurangan": cGap, "kendala": cGap, "hambatan": cGap, "penghambat": cGap,
	"masalah": cGap, "kelemahan": cGap, "celah": cGap, "gap": cGap, "gaps": cGap, "pr": cGap,
	"menghambat": cGap, "missing": cGap, "perbaiki": cGap, "dibenahi": cGap, "benahi": cGap,

	"opd": cOPD, "dinas": cOPD, "instansi": cOPD, "badan": cOPD, "perangkat": cOPD, "skpd": cOPD,

	"belum": cLag, "tertinggal": cLag, "lambat": cLag, "terlambat": cLag, "telat": cLag,
	"paling": cLag, "malas": cLag, "lengkap": cLag, "behind": cLag,

	"berikutnya": cNext, "selanjutnya": cNext, "naik": cNext, "next": cNext, "atasnya": cNext,

	"kapan": cWhen, "when": cWhen,
	"selesai": cFinish, "ditutup": cFinish, "tutup": cFinish, "dikumpulkan": cFinish, "dikumpul": cFinish,
	"berakhir": cFinish, "akhir": cFinish, "terakhir": cFinish, "kumpul": cFinish,

	"untuk": cTierLead, "ke": cTierLead, "menuju": cTierLead, "mencapai": cTierLead, "jadi": cTierLead,
	"menjadi": cTierLead, "capai": cTierLead, "raih": cTierLead, "meraih": cTierLead,
}

// slang spells out chat abbreviations and informal words before the lexicon is read.
var slang = map[string]string{
	"brp": "berapa", "brapa": "berapa", "berapakah": "berapa", "gmn": "gimana", "gmna": "gimana",
	"bgmn": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana", "skrg": "sekarang", "skrng": "sekarang",
	"yg": "yang", "utk": "untuk", "blm": "belum", "blum": "belum", "dgn": "dengan", "sdh": "sudah",
	"udah": "sudah", "udh": "sudah", "kpn": "kapan", "aja": "saja", "aj": "saja", "klstr": "klaster",
	"nilainya": "nilai", "kls": "klaster", "bts": "batas", "tgl": "tanggal", "prog": "progres",
	"progresnya": "progres", "kekurangannya": "kekurangan", "tenggatnya": "tenggat",
}

// suffixes are clitics dropped from a word that is not in the lexicon as it is.
var suffixes = []string{"nya", "kah", "lah", "tah", "pun"}

// Match reads text as a head's question. tiers are the names of the ranked tiers
// ("Pratama", "Madya", "Nindya", "Utama", "KLA"); a named tier makes a ToTier intent.
// It reports false when the text is not recognisably a question about the score,
// progress, gaps or deadline.
func Match(text string, tiers []string) (Intent, bool) {
	words := tokens(text)
	if len(words) == 0 {
		return Intent{}, false
	}
	seen := map[concept]bool{}
	tierAt := -1
	tier := ""
	for i, w := range words {
		if t, ok := tierName(w, tiers); ok {
			// "KLA" is the programme's name too ("nilai KLA kita"): a tier only after a
			// word pointing at a goal.
			if !strings.EqualFold(t, "kla") || (i > 0 && lookup(words[i-1]) == cTierLead) {
				tier, tierAt = t, i
				continue
			}
		}
		if c := lookup(w); c != 0 {
			seen[c] = true
		}
	}
	switch {
	case tierAt >= 0:
		return Intent{Kind: ToTier, Tier: tier}, true
	case seen[cCluster]: // "klaster mana yang paling rendah?", "nilai per klaster"
		return Intent{Kind: WeakestCluster}, true
	case seen[cOPD] && (seen[cLag] || seen[cLow] || seen[cProgress]):
		return Intent{Kind: LaggingOPDs}, true
	case seen[cDeadline] || seen[cWhen] && seen[cFinish]:
		return Intent{Kind: Deadline}, true
	case seen[cNext] && (seen[cScore] || seen[cGap]):
		return Intent{Kind: ToTier}, true
	case seen[cGap]:
		return Intent{Kind: Gaps}, true
	case seen[cProgress]:
		return Intent{Kind: Progress}, true
	case seen[cScore]:
		return Intent{Kind: Score}, true
	}
	return Intent{}, false
}

// tokens lowercases text, splits it into words and spells out slang.
func tokens(text string) []string {
	raw := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := make([]string, 0, len(raw))
	for _, w := range raw {
		if s, ok := slang[w]; ok {
			w = s
		}
		out = append(out, w)
	}
	return out
}

// lookup finds the concept of a word: as it is, without a clitic, or with one typo.
func lookup(w string) concept {
	if c, ok := lexicon[w]; ok {
		return c
	}
	for _, s := range suffixes {
		if base, ok := strings.CutSuffix(w, s); ok && len(base) >= 3 {
			if c, ok := lexicon[base]; ok {
				return c
			}
			if s, ok := slang[base]; ok {
				if c, ok := lexicon[s]; ok {
					return c
				}
			}
		}
	}
	n := len([]rune(w))
	if n < 5 {
		return 0
	}
	best, bestD := concept(0), maxTypos(n)+1
	for k, c := range lexicon {
		if len([]rune(k)) < 5 {
			continue
		}
		if d := distance(w, k, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// tierName matches a word against the tier names: exactly, or with one typo for names
// of six letters or more ("nindia", "pratma").
func tierName(w string, tiers []string) (string, bool) {
	for _, t := range tiers {
		lt := strings.ToLower(t)
		if w == lt || len([]rune(lt)) >= 6 && distance(w, lt, 2) <= 1 {
			return t, true
		}
	}
	return "", false
}

// maxTypos is how many edits a word of n letters may carry.
func maxTypos(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// distance is the optimal string alignment distance between a and b (insertions,
// deletions, substitutions and swaps of neighbours), or limit when it is at least limit.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit)
}
