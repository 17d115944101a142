package conversations

import "time"

// Region is a kabupaten/kota running its assessment.
type Region struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"` // "Kota Contoh"
	Kind       string     `json:"kind"` // kabupaten | kota
	Province   string     `json:"province"`
	TimeZone   string     `json:"time_zone"`          // IANA name: Asia/Jakarta, Asia/Makassar, Asia/Jayapura
	DigestHour int        `json:"digest_hour"`        // local hour of the daily digest; default 7
	Deadline   *time.Time `json:"deadline,omitempty"` // the region's own deadline (a date, midnight UTC); nil when unset
	Year       int        `json:"year"`               // evaluation year in progress
}

// Location returns the region's time zone, or WIB when the name is unknown.
func (r Region) Location() *time.Location {
	if loc, err := time.LoadLocation(r.TimeZone); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*3600)
}
