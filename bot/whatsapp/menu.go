package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/conversations"
)

// MenuStore keeps each chat's last numbered menu: the button data in the order the
// numbers were shown. WhatsApp has no reliable buttons outside the official API, so a reply
// "2" is mapped back to the second button's data.
type MenuStore interface {
	SetMenu(ctx context.Context, chat conversations.Address, data []string, ttl time.Duration) error
	// Menu returns the chat's last menu, or nil when there is none (or it expired).
	Menu(ctx context.Context, chat conversations.Address) ([]string, error)
	ClearMenu(ctx context.Context, chat conversations.Address) error
}

// RedisMenus is a MenuStore in Redis: one JSON list per chat under Prefix+"wa:menu:"+chat,
// expiring after the TTL given to SetMenu.
type RedisMenus struct {
	RDB    *redis.Client
	Prefix string // key prefix, e.g. "klabot:"; tests use redistest's prefix
}

var _ MenuStore = (*RedisMenus)(nil)

func (m *RedisMenus) key(chat conversations.Address) string {
	return m.Prefix + "wa:menu:" + chat.Key()
}

// SetMenu replaces the chat's menu.
func (m *RedisMenus) SetMenu(ctx context.Context, chat conversations.Address, data []string, ttl time.Duration) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if err := m.RDB.Set(ctx, m.key(chat), b, ttl).Err(); err != nil {
		return fmt.Errorf("save whatsapp menu: %w: %v", conversations.ErrUnavailable, err)
	}
	return nil
}

// Menu returns the chat's menu or nil.
func (m *RedisMenus) Menu(ctx context.Context, chat conversations.Address) ([]string, error) {
	b, err := m.RDB.Get(ctx, m.key(chat)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load whatsapp menu: %w: %v", conversations.ErrUnavailable, err)
	}
	var data []string
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, nil // an unreadable menu is as good as none
	}
	return data, nil
}

// ClearMenu forgets the chat's menu.
func (m *RedisMenus) ClearMenu(ctx context.Context, chat conversations.Address) error {
	if err := m.RDB.Del(ctx, m.key(chat)).Err(); err != nil {
		return fmt.Errorf("clear whatsapp menu: %w: %v", conversations.ErrUnavailable, err)
	}
	return nil
}

// flatten lists the buttons of all rows in reading order.
func flatten(rows [][]conversations.Button) []conversations.Button {
	var bs []conversations.Button
	for _, r := range rows {
		bs = append(bs, r...)
	}
	return bs
}

// RenderText returns the text WhatsApp shows for out: the text, then its buttons as
// numbered lines and a hint how to answer ("Balas 1, 2 atau 3."). The engine usually
// writes the numbered lines itself (conversations.WithOptions, in the person's language);
// then the text is sent as it is.
func RenderText(out conversations.Outbound) string {
	bs := flatten(out.Buttons)
	if len(bs) == 0 || listsOptions(out.Text, bs) {
		return out.Text
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(out.Text, "\n"))
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	for i, btn := range bs {
		fmt.Fprintf(&b, "%d. %s\n", i+1, btn.Label)
	}
	b.WriteString("\n_" + replyHint(len(bs)) + "_")
	return b.String()
}

// listsOptions reports whether text already shows every button as "N. Label".
func listsOptions(text string, bs []conversations.Button) bool {
	for i, b := range bs {
		if !strings.Contains(text, fmt.Sprintf("%d. %s", i+1, b.Label)) {
			return false
		}
	}
	return true
}

// replyHint is "Balas 1.", "Balas 1 atau 2.", "Balas 1, 2 atau 3." and, for long menus,
// "Balas dengan angka 1 sampai 12."
func replyHint(n int) string {
	switch {
	case n == 1:
		return "Balas 1."
	case n > 6:
		return fmt.Sprintf("Balas dengan angka 1 sampai %d.", n)
	}
	nums := make([]string, n)
	for i := range nums {
		nums[i] = strconv.Itoa(i + 1)
	}
	return "Balas " + strings.Join(nums[:n-1], ", ") + " atau " + nums[n-1] + "."
}

// menuChoice returns the number a reply names ("2", "2.", " 2 ") or 0.
func menuChoice(text string) int {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "."))
	if t == "" || len(t) > 3 {
		return 0
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// RedisDayCounter is a DayCounter in Redis: one integer per day under
// Prefix+"wa:bulk:"+day, kept for two days.
type RedisDayCounter struct {
	RDB    *redis.Client
	Prefix string
}

var _ DayCounter = (*RedisDayCounter)(nil)

// Count returns the day's count.
func (c *RedisDayCounter) Count(ctx context.Context, day string) (int64, error) {
	n, err := c.RDB.Get(ctx, c.Prefix+"wa:bulk:"+day).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

// Add counts one more on day.
func (c *RedisDayCounter) Add(ctx context.Context, day string) error {
	key := c.Prefix + "wa:bulk:" + day
	_, err := c.RDB.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, key)
		p.Expire(ctx, key, 48*time.Hour)
		return nil
	})
	return err
}
