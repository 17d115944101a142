package loadtest

import (
	"fmt"
	"regexp"
)

// Spec describes a synthetic national dataset.
type Spec struct {
	// Tag starts every region code of the dataset ("LT" gives LT001 ... LT514), so a
	// dataset is found again (--reuse) and never mixed with real regions. Defaults to "LT".
	Tag string
	// Regions is the number of kabupaten/kota. Defaults to 514.
	Regions int
	// OPDs is the number of OPDs per region (and of national OPD codes). Defaults to 30.
	OPDs int
	// Questions is the size of the instrument. Defaults to 700.
	Questions int
	// FocalPoints is the number of focal points per OPD. Defaults to 2 (30,840 people
	// for the national defaults).
	FocalPoints int
	// Year is the evaluation year of the dataset's instrument and regions, far from real
	// years so a load dataset never meets real answers. Defaults to 2090.
	Year int
	// EvidenceEvery makes every n-th question require evidence. Defaults to 3.
	EvidenceEvery int
}

var tagPattern = regexp.MustCompile(`^[A-Z]{1,8}$`)

// WithDefaults fills the zero fields and checks the rest.
func (s Spec) WithDefaults() (Spec, error) {
	if s.Tag == "" {
		s.Tag = "LT"
	}
	if s.Regions == 0 {
		s.Regions = 514
	}
	if s.OPDs == 0 {
		s.OPDs = 30
	}
	if s.Questions == 0 {
		s.Questions = 700
	}
	if s.FocalPoints == 0 {
		s.FocalPoints = 2
	}
	if s.Year == 0 {
		s.Year = 2090
	}
	if s.EvidenceEvery == 0 {
		s.EvidenceEvery = 3
	}
	switch {
	case !tagPattern.MatchString(s.Tag):
		return s, fmt.Errorf("dataset tag %q: use 1-8 capital letters", s.Tag)
	case s.Regions < 1 || s.Regions > 9999:
		return s, fmt.Errorf("regions must be 1-9999, got %d", s.Regions)
	case s.OPDs < 1 || s.OPDs > 99:
		return s, fmt.Errorf("OPDs per region must be 1-99, got %d", s.OPDs)
	case s.Questions < 24 || s.Questions > 5000:
		return s, fmt.Errorf("questions must be 24-5000 (24 indicators need one each), got %d", s.Questions)
	case s.FocalPoints < 1 || s.FocalPoints > 20:
		return s, fmt.Errorf("focal points per OPD must be 1-20, got %d", s.FocalPoints)
	case s.Year < 2000 || s.Year > 2100:
		return s, fmt.Errorf("year must be 2000-2100, got %d", s.Year)
	}
	return s, nil
}

// RegionCode is the code of region i (1-based).
func (s Spec) RegionCode(i int) string { return fmt.Sprintf("%s%03d", s.Tag, i) }

// rawRegion is the region the raw-write baseline writes its answers to, apart from the
// simulated regions so it never changes their scores.
func (s Spec) rawRegion() string { return s.Tag + "RAW" }
