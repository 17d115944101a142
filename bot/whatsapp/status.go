package whatsapp

import (
	"fmt"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types/events"
)

// Status is what the adapter knows about its WhatsApp session, for /readyz, metrics and
// `klabot whatsapp status`.
type Status struct {
	Connected bool
	// LoggedOut is set when WhatsApp ended the session (unlinked on the phone): no
	// reconnect helps, the number must be paired again with `klabot whatsapp pair`.
	LoggedOut bool
	// Replaced is set when another process connected with the same session: only one
	// process may hold a number.
	Replaced bool
	// Banned is set when WhatsApp ended the session with 406 (its "banned"): appeal in
	// the WhatsApp app, then pair again.
	Banned bool
	// KeepAliveTimeouts counts keepalive pings WhatsApp did not answer since the process
	// started (a flaky network shows here before it disconnects).
	KeepAliveTimeouts int
	// Reason says the last notable event in words, for logs and the status command.
	Reason string
}

// Status returns the session's state.
func (a *Adapter) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.st
	if !s.LoggedOut && !s.Replaced && !s.Banned {
		s.Connected = a.client != nil && a.client.IsConnected()
	}
	return s
}

// observe follows connection events. LoggedOut and StreamReplaced end the session for
// good (whatsmeow does not reconnect after them): they are logged as errors and kept in
// Status, and never stop the process.
func (a *Adapter) observe(evt any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch e := evt.(type) {
	case *events.Connected:
		a.st = Status{Connected: true, Reason: "connected", KeepAliveTimeouts: a.st.KeepAliveTimeouts}
		a.log.Info("whatsapp: connected")
	case *events.Disconnected:
		a.st.Connected = false
		a.st.Reason = "disconnected; reconnecting"
		a.log.Warn("whatsapp: disconnected, whatsmeow reconnects on its own")
	case *events.KeepAliveTimeout:
		a.st.KeepAliveTimeouts++
		a.st.Reason = fmt.Sprintf("keepalive timeouts (%d in a row)", e.ErrorCount)
		a.log.Warn("whatsapp: keepalive timeout", "in_a_row", e.ErrorCount, "last_success", e.LastSuccess)
	case *events.KeepAliveRestored:
		a.st.Reason = "connected; keepalive restored"
	case *events.LoggedOut:
		if e.Reason == events.ConnectFailureUnknownLogout {
			a.st = Status{Banned: true, KeepAliveTimeouts: a.st.KeepAliveTimeouts, Reason: "banned by WhatsApp (406): appeal in the WhatsApp app, then pair again"}
			a.log.Error("whatsapp: number banned by WhatsApp (406); the session is gone", "on_connect", e.OnConnect)
			return
		}
		a.st = Status{LoggedOut: true, KeepAliveTimeouts: a.st.KeepAliveTimeouts, Reason: "logged out: pair again with `klabot whatsapp pair`"}
		a.log.Error("whatsapp: session logged out (unlinked on the phone?); pair again with `klabot whatsapp pair`", "on_connect", e.OnConnect, "reason", e.Reason.String())
	case *events.StreamReplaced:
		a.st = Status{Replaced: true, Reason: "replaced: another process connected with this session"}
		a.log.Error("whatsapp: session taken over by another process; only one process may hold the number")
	case *events.TemporaryBan:
		a.st.Connected = false
		a.st.Reason = "temporarily banned: " + e.String()
		a.log.Error("whatsapp: number temporarily banned", "ban", e.String())
	case *events.ConnectFailure:
		a.st.Connected = false
		a.st.Reason = "connect failure: " + e.Reason.String()
		a.log.Error("whatsapp: connect failure", "reason", e.Reason.String(), "message", e.Message)
	case *events.ClientOutdated:
		a.st.Connected = false
		a.st.Reason = "client outdated (405): update klabot/whatsmeow or set WHATSAPP_WEB_VERSION"
		a.log.Error("whatsapp: WhatsApp says the client is outdated (405): update klabot/whatsmeow or set WHATSAPP_WEB_VERSION", "version", store.GetWAVersion().String())
	}
}
