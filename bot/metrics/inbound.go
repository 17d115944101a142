package metrics

// InboundEvents are the kinds of klabot_inbound_events_total (dispatch.Config.OnEvent).
var InboundEvents = []string{"retried", "deferred", "chat_full", "outage_notice"}

// InviteResults are the results of klabot_invite_attempts_total.
var InviteResults = []string{"ok", "wrong", "throttled", "group"}

// InboundEvent counts one dispatcher event (a kind of InboundEvents); it fits
// dispatch.Config.OnEvent.
func (m *Metrics) InboundEvent(kind string) {
	if m != nil {
		m.inbound.WithLabelValues(kind).Inc()
	}
}

// InviteAttempt counts one invite code attempt by its result (one of InviteResults).
func (m *Metrics) InviteAttempt(result string) {
	if m != nil {
		m.invites.WithLabelValues(result).Inc()
	}
}
