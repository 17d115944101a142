package outbound

import (
	"strings"
	"time"
)

// Limits are one channel's sending limits. The sender never starts two deliveries closer
// than these allow, whatever the platform says; a platform's 429 pauses the whole channel
// on top of them.
type Limits struct {
	// PerBot is the most messages per second over the whole channel (one bot account).
	// Defaults to 30, Telegram's documented broadcast limit.
	PerBot float64
	// PerChat is the least time between two messages to one private chat. Defaults to 1s.
	PerChat time.Duration
	// PerGroup is the least time between two messages to one group chat. Defaults to 3s
	// (Telegram's 20 messages per minute per group).
	PerGroup time.Duration
	// IsGroup tells group chats apart by chat id. Nil means no chat is a group.
	IsGroup func(chatID string) bool
	// Parallel is the most deliveries in flight at once on the channel. Defaults to 8.
	Parallel int
}

// TelegramLimits are the Bot API's limits: 30 messages/s per bot, 1/s per chat, 20/min per
// group chat (group chat ids are negative).
func TelegramLimits() Limits {
	return Limits{
		PerBot:   30,
		PerChat:  time.Second,
		PerGroup: 3 * time.Second,
		IsGroup:  func(chatID string) bool { return strings.HasPrefix(chatID, "-") },
		Parallel: 16,
	}
}

func (l Limits) withDefaults() Limits {
	if l.PerBot <= 0 {
		l.PerBot = 30
	}
	if l.PerChat <= 0 {
		l.PerChat = time.Second
	}
	if l.PerGroup <= 0 {
		l.PerGroup = 3 * time.Second
	}
	if l.Parallel <= 0 {
		l.Parallel = 8
	}
	return l
}

// botInterval is the least time between two deliveries on the channel.
func (l Limits) botInterval() time.Duration {
	return time.Duration(float64(time.Second) / l.PerBot)
}

// chatInterval is the least time between two deliveries to chatID.
func (l Limits) chatInterval(chatID string) time.Duration {
	if l.IsGroup != nil && l.IsGroup(chatID) {
		return l.PerGroup
	}
	return l.PerChat
}
