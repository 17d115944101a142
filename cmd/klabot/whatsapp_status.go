package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/bot/whatsapp"
	"github.com/klabot/klabot/conversations"
)

// whatsappHeartbeat is what the process holding the WhatsApp session writes to Redis
// every few seconds, so that `klabot whatsapp status` on any machine can tell.
type whatsappHeartbeat struct {
	whatsapp.Status
	Holder string    `json:"holder"` // host and pid of the holding process
	At     time.Time `json:"at"`
}

func whatsappHeartbeatKey(prefix string) string { return prefix + "wa:status" }

// runWhatsAppStatus is `klabot whatsapp status [--connect]`.
func runWhatsAppStatus(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("whatsapp status", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	check := fs.Bool("connect", false, "when no process holds the session, connect briefly to check that WhatsApp still accepts it")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	wcfg, st, dev, err := openWhatsAppDevice(ctx, app)
	if err != nil {
		return err
	}
	w := app.Stdout
	if dev.ID == nil {
		fmt.Fprintln(w, "paired:    no — run `klabot whatsapp pair` (QR code) or `klabot whatsapp pair --phone +62…`")
		return nil
	}
	fmt.Fprintf(w, "paired:    yes, %s", dev.ID.ToNonAD())
	if !dev.LID.IsEmpty() {
		fmt.Fprintf(w, " (lid %s)", dev.LID.ToNonAD())
	}
	if dev.PushName != "" {
		fmt.Fprintf(w, ", name %q", dev.PushName)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "enabled:   %v (WHATSAPP_ENABLED)\n", wcfg.Enabled)

	lock, err := st.TryLockSession(ctx, whatsappSessionLock, 0)
	if errors.Is(err, conversations.ErrConflict) {
		fmt.Fprintln(w, "session:   held by a running klabot process")
		if rdb, rerr := app.Redis(ctx); rerr == nil {
			var hb whatsappHeartbeat
			if b, gerr := rdb.Get(ctx, whatsappHeartbeatKey(wcfg.RedisPrefix)).Bytes(); gerr == nil && json.Unmarshal(b, &hb) == nil {
				fmt.Fprintf(w, "connected: %v — %s (reported by %s, %s ago)\n", hb.Connected, hb.Reason, hb.Holder, app.Now().Sub(hb.At).Round(time.Second))
				if hb.KeepAliveTimeouts > 0 {
					fmt.Fprintf(w, "keepalive: %d timeouts since the holder started\n", hb.KeepAliveTimeouts)
				}
			} else {
				fmt.Fprintln(w, "connected: unknown (no recent report from the holder)")
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Release(context.WithoutCancel(ctx))
	fmt.Fprintln(w, "session:   not held by any klabot process")
	// A serve that gave the session up for a while (ban, backoff) said why, shortly before.
	if rdb, rerr := app.Redis(ctx); rerr == nil {
		var hb whatsappHeartbeat
		if b, gerr := rdb.Get(ctx, whatsappHeartbeatKey(wcfg.RedisPrefix)).Bytes(); gerr == nil && json.Unmarshal(b, &hb) == nil {
			fmt.Fprintf(w, "last:      %s (reported by %s, %s ago)\n", hb.Reason, hb.Holder, app.Now().Sub(hb.At).Round(time.Second))
		}
	}
	if !*check {
		fmt.Fprintln(w, "connected: no (run `klabot serve` with WHATSAPP_ENABLED=true, or `klabot whatsapp status --connect` to test the session)")
		return nil
	}
	setWhatsAppVersion(ctx, app, wcfg, app.Log)
	client, err := newWhatsAppClient(app, wcfg, dev, "status")
	if err != nil {
		return err
	}
	result := make(chan string, 1)
	client.AddEventHandler(func(evt any) {
		var r string
		switch e := evt.(type) {
		case *events.Connected:
			r = "yes — WhatsApp accepts the session"
		case *events.LoggedOut:
			r = "no — logged out (unlinked on the phone?): pair again with `klabot whatsapp pair`"
			if e.Reason == events.ConnectFailureUnknownLogout {
				r = "no — banned by WhatsApp (406): appeal in the WhatsApp app, then pair again"
			}
		case *events.ClientOutdated:
			r = "no — " + errClientOutdated.Error()
		case *events.ConnectFailure:
			r = "no — connect failure: " + e.Reason.String()
		case *events.TemporaryBan:
			r = "no — temporarily banned: " + e.String()
		default:
			return
		}
		select {
		case result <- r:
		default:
		}
	})
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := client.ConnectContext(cctx); err != nil {
		fmt.Fprintf(w, "connected: no — cannot reach WhatsApp: %v\n", err)
		return nil
	}
	defer client.Disconnect()
	select {
	case r := <-result:
		fmt.Fprintln(w, "connected:", r)
	case <-cctx.Done():
		fmt.Fprintln(w, "connected: no — no answer from WhatsApp within 30s")
	}
	return nil
}
