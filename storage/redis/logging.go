package redis

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// slogPrinter turns go-redis's own log lines (pool dial failures, reconnects) into slog
// records, so they reach the same handler (JSON in production) as everything else
// instead of stderr in the standard library's format.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(ctx context.Context, format string, v ...any) {
	p.log.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// LogThrough sends go-redis's log lines to log. go-redis keeps a single process-wide
// logger (redis.SetLogger), so this is process-wide too; cmd calls it once with its logger.
func LogThrough(log *slog.Logger) {
	redis.SetLogger(slogPrinter{log})
}
