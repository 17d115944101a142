package conversations

import (
	"context"
	"io"
	"time"
)

// Channel names a chat platform.
type Channel string

// The channels klabot speaks on.
const (
	ChannelTelegram Channel = "telegram"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelConsole  Channel = "console"
)

// Address is one chat on one channel.
type Address struct {
	Channel Channel `json:"channel"`
	ChatID  string  `json:"chat_id"`
}

// Key is a stable string for the address, used for per-chat ordering and state keys.
func (a Address) Key() string { return string(a.Channel) + ":" + a.ChatID }

// Inbound is one message from a person, turned channel-agnostic by its channel adapter.
type Inbound struct {
	Address
	SenderID   string // platform user id (Telegram user id, WhatsApp phone digits, console name)
	SenderName string // display name, for logs and greetings only
	// MessageID is unique per channel for one platform delivery (Telegram update id,
	// WhatsApp message id); a second delivery with the same id changes nothing.
	MessageID string
	Text      string
	// Button is the data of a pressed button (Telegram callback data); empty otherwise.
	Button string
	// ButtonMessageID is the platform id of the message whose button was pressed.
	ButtonMessageID string
	Files           []File
	// Seq is the message's place in its chat where the platform numbers a chat's messages,
	// the bot's and the person's, in one increasing sequence (Telegram message_id): a
	// message with a greater Seq than the platform id of a prompt was written after that
	// prompt reached the chat. 0 when unknown (WhatsApp, the console, a button press).
	Seq   int64
	Group bool      // sent in a group chat
	At    time.Time // when the platform received it
	// Shown, when set, is the prompt the chat had been delivered when the message was
	// sent, looked up before the step's transaction (a Capability.Prepare hook, for the
	// Bind hook): the step uses it while the dialogue is still at Shown.For.
	Shown *Shown
}

// Shown is the last prompt delivered to a chat before a message was sent (Inbound.Shown).
type Shown struct {
	For   string // the position the dialogue was at when it was looked up (the Bind hook's own terms)
	Asks  string // the prompt's Outbound.Asks
	Found bool   // false: no prompt on record
}

// File is one photo or document attached to an inbound message. The content is fetched
// only through Open, after the declared size was checked, and checked again by content.
type File struct {
	Name string // original file name; channels invent one for photos ("foto-<id>.jpg")
	MIME string // as declared by the platform; never trusted alone
	Size int64  // declared size in bytes; 0 when unknown
	// Open downloads the content. Channels must never put platform URLs (which can hold
	// secrets) into errors.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// Fetched, when set, is the outcome of the download done before the step's
	// transaction (a Capability.Prepare hook): the step uses it instead of Open.
	Fetched *Fetched
}

// Fetched is a File downloaded, checked and stored ahead of its step, or why it was not.
type Fetched struct {
	Stored EvidenceFile // BlobKey "" when it was not stored
	// Refused says why it was not stored (a text key of the capability that fetched
	// it), Detail what the content looked like.
	Refused string
	Detail  string
}

// Button is one choice a person can press (a Telegram inline button; a numbered option
// where the channel has no buttons).
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"` // what comes back in Inbound.Button when pressed
}

// Outbound is one message to deliver.
type Outbound struct {
	To       Address
	PersonID int64 // the recipient when known, so a channel can mark them unreachable
	Text     string
	// Buttons are rows of buttons. Channels without buttons show them as numbered options
	// ("balas 1, 2 atau 3") and map the number back to Button.Data.
	Buttons    [][]Button
	Attachment *Attachment
	// Bulk marks digests and nudges: they wait behind replies to people.
	Bulk bool
	// Kind and NotificationID, when set, let the sender record the outcome of a
	// proactive message (notifications table).
	Kind           string
	NotificationID int64
	// Asks, on a prompt, names the dialogue position it asks about (set by the capability
	// that renders it; opaque to the engine and the channels). The durable queue records
	// it with the prompt's delivery, so that the person's next message can be bound to
	// the position they saw (answering's Bind).
	Asks string
	// Repeat marks a prompt that repeats the open position without the dialogue moving
	// (after an old button or a message that was not applied): the queue drops it when a
	// later message to the chat already asks about another position, so it never arrives
	// after the answer it asked for.
	Repeat bool
}

// Attachment is a file sent with an outbound message (a digest chart, forwarded evidence,
// an export ZIP).
type Attachment struct {
	Name  string
	MIME  string
	Photo bool // show as a picture where the channel distinguishes
	Data  []byte
}
