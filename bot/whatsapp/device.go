package whatsapp

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"
)

// OpenDevices opens whatsmeow's device store on db — a *sql.DB from pgx's stdlib on
// klabot's own database — and creates or upgrades its whatsmeow_* tables. The dialect is
// "postgres": whatsmeow's "pgx/v5" dialect name panics.
func OpenDevices(ctx context.Context, db *sql.DB, log *slog.Logger) (*sqlstore.Container, error) {
	c := sqlstore.NewWithDB(db, "postgres", Logger(log, "store"))
	if err := c.Upgrade(ctx); err != nil {
		return nil, fmt.Errorf("upgrade whatsapp device store: %w", err)
	}
	return c, nil
}

// Logger adapts slog to whatsmeow's logger. whatsmeow's debug output is very chatty
// (every frame); it goes to slog's debug level.
func Logger(log *slog.Logger, module string) waLog.Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return slogLogger{log: log.With("whatsmeow", module), module: module}
}

type slogLogger struct {
	log    *slog.Logger
	module string
}

func (l slogLogger) Errorf(msg string, args ...any) { l.log.Error(fmt.Sprintf(msg, args...)) }
func (l slogLogger) Warnf(msg string, args ...any)  { l.log.Warn(fmt.Sprintf(msg, args...)) }
func (l slogLogger) Infof(msg string, args ...any)  { l.log.Info(fmt.Sprintf(msg, args...)) }
func (l slogLogger) Debugf(msg string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(fmt.Sprintf(msg, args...))
	}
}
func (l slogLogger) Sub(module string) waLog.Logger {
	return Logger(l.log, l.module+"/"+module)
}
