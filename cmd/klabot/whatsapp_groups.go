package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/conversations"
)

// runWhatsAppGroups is `klabot whatsapp groups`: the groups the paired number is in, with
// the JIDs a region's digest chat or WHATSAPP_DIGEST_GROUPS needs.
func runWhatsAppGroups(ctx context.Context, app *App, args []string) error {
	if len(args) > 0 {
		return usageError{"usage: klabot whatsapp groups"}
	}
	wcfg, st, dev, err := openWhatsAppDevice(ctx, app)
	if err != nil {
		return err
	}
	if dev.ID == nil {
		return errors.New("no WhatsApp number is paired: run `klabot whatsapp pair` first")
	}
	lock, err := st.TryLockSession(ctx, whatsappSessionLock, 0)
	if errors.Is(err, conversations.ErrConflict) {
		return errors.New("a running klabot process holds the WhatsApp session; its log names each group that writes (\"whatsapp: ignoring a group … group=…@g.us\"), or stop it and run this again")
	}
	if err != nil {
		return err
	}
	defer lock.Release(context.WithoutCancel(ctx))
	setWhatsAppVersion(ctx, app, wcfg, app.Log)
	client, err := newWhatsAppClient(app, wcfg, dev, "groups")
	if err != nil {
		return err
	}
	connected := make(chan struct{}, 1)
	client.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := client.ConnectContext(cctx); err != nil {
		return fmt.Errorf("cannot reach WhatsApp (%v): check the network or WHATSAPP_PROXY", err)
	}
	defer client.Disconnect()
	select {
	case <-connected:
	case <-cctx.Done():
		return errors.New("WhatsApp did not accept the session within 30s: check `klabot whatsapp status --connect`")
	}
	groups, err := client.GetJoinedGroups(cctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	if len(groups) == 0 {
		fmt.Fprintln(app.Stdout, "The number is in no group. Add it to the coordinators' group, then run this again.")
		return nil
	}
	for _, g := range groups {
		fmt.Fprintf(app.Stdout, "%s\t%s (%d members)\n", g.JID, g.Name, len(g.Participants))
	}
	fmt.Fprintln(app.Stdout, "\nUse a JID as a region's WhatsApp digest chat, or in WHATSAPP_DIGEST_GROUPS.")
	return nil
}
