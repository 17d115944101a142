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
// environment. Components read their own extra variables in their own files
// (see telegramConfig, whatsappConfig ...).
type Config struct {
	DatabaseURL string // DATABASE_URL. Defaults to the local trust-auth server, database klabot.
	RedisURL    string // REDIS_URL. Defaults to redis://127.0.0.1:6379/0.
	// RedisPrefix (REDIS_PREFIX) starts every Redis key. Defaults to "klabot:" for the
	// database "klabot" and "klabot:<database>:" for any other, so two databases sharing
	// one Redis (a demo and a staging copy) never see each other's dialogue state.
	RedisPrefix string
	EvidenceDir string // EVIDENCE_DIR: the local blob store. Defaults to ./data/evidence.
	HTTPAddr    string // HTTP_ADDR for /healthz, /readyz, /metrics, webhooks. Defaults to :8080.
	LogLevel    string // LOG_LEVEL: debug, info, warn, error. Defaults to info.
	MaxFileMB   int    // MAX_FILE_MB: the largest evidence file accepted. Defaults to 20.
	Year        int    // KLA_YEAR: the evaluation year when a command gets no --year. Defaults to the current year.
}

func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: envOr(getenv, "DATABASE_URL", defaultDatabaseURL),
		RedisURL:    envOr(getenv, "REDIS_URL", "redis://127.0.0.1:6379/0"),
		EvidenceDir: envOr(getenv, "EVIDENCE_DIR", "data/evidence"),
		HTTPAddr:    envOr(getenv, "HTTP_ADDR", ":8080"),
		LogLevel:    envOr(getenv, "LOG_LEVEL", "info"),
	}
	c.RedisPrefix = redisPrefixEnv(getenv)
	var err error
	if c.MaxFileMB, err = envInt(getenv, "MAX_FILE_MB", 20); err != nil {
		return c, err
	}
	if c.Year, err = envInt(getenv, "KLA_YEAR", time.Now().Year()); err != nil {
		return c, err
	}
	if c.MaxFileMB <= 0 {
		return c, fmt.Errorf("MAX_FILE_MB must be positive, got %d", c.MaxFileMB)
	}
	return c, nil
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

func envInt(getenv func(string) string, key string, def int) (int, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s must be a whole number, got %q", key, v)
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
	level := slog.LevelInfo
	level.UnmarshalText([]byte(a.cfg.LogLevel)) //nolint:errcheck // keeps info on a bad value
	a.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
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
