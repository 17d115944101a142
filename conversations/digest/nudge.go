package digest

import (
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
	"strings"
	"time"
)

// Nudge is one reminder to one focal point: all their open questions in one message.
type Nudge struct {
	Region    conversations.Region
	At        time.Time
	Person    conversations.Person
	Open      int    // questions of their OPD still unanswered
	FirstCode string // the first open question, in instrument order
	FirstText string
}

// NudgeButtonData is what the nudge's button sends back: the engine's resume button
// (the same as typing lanjut).
const NudgeButtonData = "n:start"

// NudgeMessage renders a nudge as one message with a button to continue, in the person's
// language (Indonesian unless they chose English).
func NudgeMessage(n Nudge) (text string, buttons [][]conversations.Button) {
	if n.Person.Language == "en" {
		return nudgeMessageEN(n)
	}
	now := n.At.In(n.Region.Location())
	var b strings.Builder
	name := n.Person.Name
	if name == "" {
		name = "Bapak/Ibu"
	}
	unit := "OPD Anda"
	if n.Person.OPDName != "" {
		unit = n.Person.OPDName
	}
	fmt.Fprintf(&b, "Halo %s 👋\nPengingat KLA %s: masih ada %d pertanyaan untuk %s.\n", name, n.Region.Name, n.Open, unit)
	if n.FirstCode != "" || n.FirstText != "" {
		fmt.Fprintf(&b, "Berikutnya: %s\n", strings.TrimSpace(n.FirstCode+" "+n.FirstText))
	}
	if n.Region.Deadline != nil {
		fmt.Fprintf(&b, "Tenggat: %s\n", deadlineID(*n.Region.Deadline, now))
	}
	b.WriteString("Ketik lanjut atau tekan tombol di bawah untuk melanjutkan.")
	return b.String(), [][]conversations.Button{{{Label: "▶️ Lanjut", Data: NudgeButtonData}}}
}

func nudgeMessageEN(n Nudge) (string, [][]conversations.Button) {
	now := n.At.In(n.Region.Location())
	var b strings.Builder
	name := n.Person.Name
	if name == "" {
		name = "there"
	}
	unit := "your OPD"
	if n.Person.OPDName != "" {
		unit = n.Person.OPDName
	}
	plural := "s"
	if n.Open == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "Hello %s 👋\nKLA reminder for %s: %d question%s still open for %s.\n", name, n.Region.Name, n.Open, plural, unit)
	if n.FirstCode != "" || n.FirstText != "" {
		fmt.Fprintf(&b, "Next: %s\n", strings.TrimSpace(n.FirstCode+" "+n.FirstText))
	}
	if d := n.Region.Deadline; d != nil {
		left := idfmt.DaysBetween(now, *d)
		switch {
		case left > 0:
			fmt.Fprintf(&b, "Deadline: %s (%d days left)\n", d.Format("2 January 2006"), left)
		case left == 0:
			fmt.Fprintf(&b, "Deadline: %s (today)\n", d.Format("2 January 2006"))
		default:
			fmt.Fprintf(&b, "Deadline: %s (%d days ago)\n", d.Format("2 January 2006"), -left)
		}
	}
	b.WriteString("Type continue or press the button below to carry on.")
	return b.String(), [][]conversations.Button{{{Label: "▶️ Continue", Data: NudgeButtonData}}}
}

// SilentPerson is a focal point who ignored several nudges in a row.
type SilentPerson struct {
	Name       string
	OPDName    string
	Open       int
	Ignored    int       // nudges since their last answer
	LastNudged time.Time // the latest of those nudges
}

// EscalationText tells a coordinator which people and OPDs stay silent after nudges.
func EscalationText(region conversations.Region, at time.Time, silent []SilentPerson) string {
	now := at.In(region.Location())
	var b strings.Builder
	b.WriteString(tr("id", ngEscalationHead, region.Name, idfmt.DateID(now)))
	var opds []string
	seen := map[string]bool{}
	for _, p := range silent {
		b.WriteString(tr("id", ngEscalationLine,
			p.Name, p.OPDName, p.Open, p.Ignored, idfmt.DateID(p.LastNudged.In(now.Location()))))
		if p.OPDName != "" && !seen[p.OPDName] {
			seen[p.OPDName] = true
			opds = append(opds, p.OPDName)
		}
	}
	if len(opds) > 0 {
		b.WriteString(tr("id", ngSilentOPDs, strings.Join(opds, ", ")))
	}
	b.WriteString(tr("id", ngEscalationHint))
	return b.String()
}
