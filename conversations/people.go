package conversations

// Role is what a person does in the assessment.
type Role string

// The roles.
const (
	RoleFocalPoint  Role = "focal_point" // fills in their OPD's questions
	RoleCoordinator Role = "coordinator" // runs the region's Gugus Tugas secretariat
	RoleHead        Role = "head"        // Bupati/Wali Kota, Sekda, heads of agencies
	RoleAdmin       Role = "admin"       // operates klabot for a region
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleFocalPoint, RoleCoordinator, RoleHead, RoleAdmin:
		return true
	}
	return false
}

// Person is someone klabot knows, with where they belong.
type Person struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Role       Role   `json:"role"`
	RegionCode string `json:"region_code"`
	OPDID      int64  `json:"opd_id,omitempty"` // 0 when the person has no OPD
	OPDCode    string `json:"opd_code,omitempty"`
	OPDName    string `json:"opd_name,omitempty"`
	Language   string `json:"language"` // "id" (default) or "en"
}

// Identity binds a chat identity to a person.
type Identity struct {
	Channel    Channel `json:"channel"`
	ExternalID string  `json:"external_id"` // platform user id: Telegram user id, WhatsApp phone digits
	ChatID     string  `json:"chat_id"`     // where to write to them on that channel
}
