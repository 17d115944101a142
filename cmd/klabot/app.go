package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/storage/postgres"
	kredis "github.com/klabot/klabot/storage/redis"
)

// Config is the process configuration shared by the subcommands, read from the
// environment by parseEnv (typed and strict: a value that does not parse stops the
// command with a message naming the variable). Components read their own extra variables
// in their own files (see telegramConfig, whatsappConfig ...).
type Config struct {
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/klabot?sslmode=disable"` // DATABASE_URL. Defaults to the local trust-auth server, database klabot.
	RedisURL    string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`                                     // REDIS_URL. Defaults to redis://127.0.0.1:6379/0.
	// RedisPrefix (REDIS_PREFIX) starts every Redis key. Defaults to "klabot:" for the
	// database "klabot" and "klabot:<database>:" for any other, so two databases sharing
	// one Redis (a demo and a staging copy) never see each other's dialogue state.
	RedisPrefix string `env:"REDIS_PREFIX"`
	EvidenceDir string `env:"EVIDENCE_DIR" envDefault:"data/evidence"` // EVIDENCE_DIR: the local blob store. Defaults to ./data/evidence.
	HTTPAddr    string `env:"HTTP_ADDR" envDefault:":8080"`            // HTTP_ADDR for /healthz, /readyz, /metrics, webhooks. Defaults to :8080.
	// MetricsAddr (METRICS_ADDR) serves /metrics on a port of its own (e.g. ":9090"), kept
	// off the public HTTP_ADDR. Defaults to empty: /metrics on HTTP_ADDR.
	MetricsAddr string `env:"METRICS_ADDR"`
	LogLevel    string `env:"LOG_LEVEL" envDefault:"info"`  // LOG_LEVEL: debug, info, warn, error. Defaults to info.
	LogFormat   string `env:"LOG_FORMAT" envDefault:"text"` // LOG_FORMAT: text (logfmt-like) or json. Defaults to text.
	MaxFileMB   int    `env:"MAX_FILE_MB" envDefault:"20"`  // MAX_FILE_MB: the largest evidence file accepted. Defaults to 20.
	Year        int    `env:"KLA_YEAR"`                     // KLA_YEAR: the evaluation year when a command gets no --year. Defaults to the current year.
	// Scheduler (SCHEDULER) runs the digest and reminder scheduler in `klabot serve`.
	// Defaults to true; false (or off, no, 0) leaves it to another replica.
	Scheduler bool `env:"SCHEDULER" envDefault:"true"`
	// DigestChart (DIGEST_CHART) attaches the clusters chart to digests. Defaults to true.
	DigestChart bool `env:"DIGEST_CHART" envDefault:"true"`
	// OutboundKey (OUTBOUND_KEY) seals what queued outbound messages say (they can hold
	// invite codes and people's files). Set the same value on every replica. Defaults to
	// TELEGRAM_TOKEN when that is set, else to a development key (logged as a warning).
	OutboundKey string `env:"OUTBOUND_KEY"`
	// OutboundRescueAfter (OUTBOUND_RESCUE_AFTER) is how long a delivery may run before it
	// is taken for one of a dead process and retried. Defaults to 2m.
	OutboundRescueAfter time.Duration `env:"OUTBOUND_RESCUE_AFTER" envDefault:"2m"`
}

func loadConfig(getenv func(string) string) (Config, error) {
	var c Config
	if err := parseEnv(getenv, &c); err != nil {
		return c, err
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = redisPrefixFor(c.DatabaseURL)
	}
	if c.Year == 0 {
		c.Year = time.Now().Year()
	}
	var problems []string
	if c.MaxFileMB <= 0 {
		problems = append(problems, fmt.Sprintf("MAX_FILE_MB must be positive, got %d", c.MaxFileMB))
	}
	if c.Year < 2000 || c.Year > 2100 {
		problems = append(problems, fmt.Sprintf("KLA_YEAR must be a year like 2026, got %d", c.Year))
	}
	if _, err := logLevel(c.LogLevel); err != nil {
		problems = append(problems, err.Error())
	}
	if c.LogFormat = strings.ToLower(c.LogFormat); c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Sprintf("LOG_FORMAT must be text or json, got %q", c.LogFormat))
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// logLevel reads LOG_LEVEL: debug, info, warn (warning) or error, any case.
func logLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", s)
}

// newLogger builds the process logger from the configuration: text or JSON on w.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := logLevel(cfg.LogLevel) // validated by loadConfig; info on a bad value
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// defaultDatabaseURL is the local trust-auth server of a development machine.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/klabot?sslmode=disable"

// redisPrefixEnv is REDIS_PREFIX, by default derived from DATABASE_URL's database name.
func redisPrefixEnv(getenv func(string) string) string {
	return envOr(getenv, "REDIS_PREFIX", redisPrefixFor(envOr(getenv, "DATABASE_URL", defaultDatabaseURL)))
}

// redisPrefixFor derives the default Redis key prefix from the database name.
func redisPrefixFor(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	db := ""
	if err == nil {
		db = strings.Trim(u.Path, "/")
	}
	if db == "" || db == "klabot" {
		return "klabot:"
	}
	return "klabot:" + db + ":"
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

// envInt reads one whole-number variable strictly, for components that read their own
// variables with getenv.
func envInt(getenv func(string) string, key string, def int) (int, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("configuration: %s=%q: not a whole number", key, v)
	}
	return n, nil
}

// App holds what subcommands share: configuration, standard streams, the clock, the
// logger, and lazily opened connections (closed by Close).
type App struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	Log    *slog.Logger
	// OnInvite, when set before the engine is built, counts invite attempts (serve's
	// metrics).
	OnInvite func(result string)

	cfg    Config
	cfgErr error
	pool   *pgxpool.Pool
	rdb    *redis.Client
}

// NewApp returns an App reading configuration through getenv.
func NewApp(getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) *App {
	a := &App{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr, Now: time.Now}
	a.cfg, a.cfgErr = loadConfig(getenv)
	a.Log = newLogger(a.cfg, stderr)
	return a
}

// Config returns the validated configuration.
func (a *App) Config() (Config, error) { return a.cfg, a.cfgErr }

// DB returns the Postgres pool, creating the database and applying migrations on first use.
func (a *App) DB(ctx context.Context) (*pgxpool.Pool, error) {
	if a.pool != nil {
		return a.pool, nil
	}
	if a.cfgErr != nil {
		return nil, a.cfgErr
	}
	if err := postgres.EnsureDatabase(ctx, a.cfg.DatabaseURL); err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, a.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	a.pool = pool
	return pool, nil
}

// Redis returns the Redis client, checking on first use that the server answers.
func (a *App) Redis(ctx context.Context) (*redis.Client, error) {
	if a.rdb != nil {
		return a.rdb, nil
	}
	if a.cfgErr != nil {
		return nil, a.cfgErr
	}
	opt, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL is not a valid Redis URL: %w", err)
	}
	// go-redis's own lines (failed dials, reconnects) go to our logger, not stderr.
	kredis.LogThrough(a.Log)
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s — start it (e.g. `redis-server --daemonize yes`) or set REDIS_URL", opt.Addr)
	}
	a.rdb = c
	return c, nil
}

// Close releases open connections.
func (a *App) Close() {
	if a.pool != nil {
		a.pool.Close()
	}
	if a.rdb != nil {
		a.rdb.Close()
	}
}
