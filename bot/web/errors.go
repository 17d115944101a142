package web

import (
	"context"
	"net/http"

	"github.com/klabot/klabot/conversations"
)

// The error vocabulary the dashboard maps to pages.
var (
	errNotFound = conversations.ErrNotFound
	errConflict = conversations.ErrConflict
	errExpired  = conversations.ErrExpired
	errInvalid  = conversations.ErrInvalid
)

// noViewer is the request's context without the viewer (pages after logout).
func noViewer(r *http.Request) context.Context {
	return context.WithValue(r.Context(), viewerKey{}, viewer{})
}
