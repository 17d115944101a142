package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mdp/qrterminal/v3"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/bot/whatsapp"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// whatsappSessionLock names the Postgres advisory lock that makes one process at a time
// the holder of the WhatsApp session (serve, pair).
const whatsappSessionLock = "klabot:whatsapp:session"

// whatsappConfig is the WhatsApp channel's configuration, from the environment.
type whatsappConfig struct {
	Enabled      bool          // WHATSAPP_ENABLED=true: serve connects when a number is paired.
	DigestGroups []string      // WHATSAPP_DIGEST_GROUPS: comma-separated group JIDs (…@g.us) klabot uses; other groups are ignored.
	PerSecond    float64       // WHATSAPP_RATE_PER_SECOND: messages per second overall. Defaults to 3.
	PerChat      time.Duration // WHATSAPP_CHAT_INTERVAL_MS: least time between two messages to one chat. Defaults to 1000.
	PerGroup     time.Duration // WHATSAPP_GROUP_INTERVAL_MS: least time between two messages to one group. Defaults to 3000.
	MenuTTL      time.Duration // WHATSAPP_MENU_TTL_HOURS: how long "balas 1, 2 atau 3" stays answerable. Defaults to 168 (7 days).
	RedisPrefix  string        // WHATSAPP_REDIS_PREFIX: prefix of the channel's Redis keys. Defaults to the engine's REDIS_PREFIX (see Config.RedisPrefix).
	DeviceName   string        // WHATSAPP_DEVICE_NAME: the name the phone lists under linked devices. Defaults to "klabot".
	BindByPhone  bool          // WHATSAPP_BIND_BY_PHONE: people whose roster phone writes are known without an invite. Defaults to true.
	Proxy        string        // WHATSAPP_PROXY: http://, https:// or socks5:// proxy for WhatsApp's connections. Defaults to none.
	WebVersion   string        // WHATSAPP_WEB_VERSION: the WhatsApp Web version to announce ("2.3000.1029030078"). Defaults to the current one, asked of web.whatsapp.com at start.

	TypingPerChar time.Duration  // WHATSAPP_TYPING_MS_PER_CHAR: typing indicator before a reply, per character (at most 3 s). Defaults to 25; 0 turns it off.
	BulkInterval  time.Duration  // WHATSAPP_BULK_INTERVAL_S: least gap between two bulk messages (digests, nudges) to different people, plus up to as much again at random. Defaults to 20.
	DailyCap      int            // WHATSAPP_DAILY_CAP: most bulk messages per day on the number. Defaults to 300.
	WorkFrom      int            // WHATSAPP_WORK_HOURS "7-18": the local hours bulk messages go out in.
	WorkTo        int            //
	Location      *time.Location // WHATSAPP_TIMEZONE: zone of the working hours. Defaults to Asia/Jakarta.
}

// whatsappEnv is the raw, typed form of the WhatsApp variables (see parseEnv).
type whatsappEnv struct {
	Enabled      bool   `env:"WHATSAPP_ENABLED" envDefault:"false"`
	DigestGroups string `env:"WHATSAPP_DIGEST_GROUPS"`
	PerSecond    int    `env:"WHATSAPP_RATE_PER_SECOND" envDefault:"3"`
	ChatMS       int    `env:"WHATSAPP_CHAT_INTERVAL_MS" envDefault:"1000"`
	GroupMS      int    `env:"WHATSAPP_GROUP_INTERVAL_MS" envDefault:"3000"`
	MenuHours    int    `env:"WHATSAPP_MENU_TTL_HOURS" envDefault:"168"`
	RedisPrefix  string `env:"WHATSAPP_REDIS_PREFIX"`
	DeviceName   string `env:"WHATSAPP_DEVICE_NAME" envDefault:"klabot"`
	BindByPhone  bool   `env:"WHATSAPP_BIND_BY_PHONE" envDefault:"true"`
	Proxy        string `env:"WHATSAPP_PROXY"`
	WebVersion   string `env:"WHATSAPP_WEB_VERSION"`
	TypingMS     int    `env:"WHATSAPP_TYPING_MS_PER_CHAR" envDefault:"25"`
	BulkS        int    `env:"WHATSAPP_BULK_INTERVAL_S" envDefault:"20"`
	DailyCap     int    `env:"WHATSAPP_DAILY_CAP" envDefault:"300"`
	WorkHours    string `env:"WHATSAPP_WORK_HOURS" envDefault:"7-18"`
	Timezone     string `env:"WHATSAPP_TIMEZONE" envDefault:"Asia/Jakarta"`
}

func loadWhatsAppConfig(getenv func(string) string) (whatsappConfig, error) {
	var e whatsappEnv
	if err := parseEnv(getenv, &e); err != nil {
		return whatsappConfig{}, err
	}
	c := whatsappConfig{
		Enabled: e.Enabled, RedisPrefix: e.RedisPrefix, DeviceName: e.DeviceName, Proxy: e.Proxy, BindByPhone: e.BindByPhone,
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = redisPrefixEnv(getenv)
	}
	for _, g := range strings.Split(e.DigestGroups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			if !strings.HasSuffix(g, "@g.us") {
				return c, fmt.Errorf("WHATSAPP_DIGEST_GROUPS: %q is not a group JID (…@g.us)", g)
			}
			c.DigestGroups = append(c.DigestGroups, g)
		}
	}
	if e.PerSecond <= 0 || e.ChatMS <= 0 || e.GroupMS <= 0 || e.MenuHours <= 0 {
		return c, errors.New("WHATSAPP_RATE_PER_SECOND, WHATSAPP_CHAT_INTERVAL_MS, WHATSAPP_GROUP_INTERVAL_MS and WHATSAPP_MENU_TTL_HOURS must be positive")
	}
	if e.TypingMS < 0 || e.BulkS <= 0 || e.DailyCap <= 0 {
		return c, errors.New("WHATSAPP_BULK_INTERVAL_S and WHATSAPP_DAILY_CAP must be positive, WHATSAPP_TYPING_MS_PER_CHAR not negative")
	}
	c.DailyCap = e.DailyCap
	c.TypingPerChar = time.Duration(e.TypingMS) * time.Millisecond
	c.BulkInterval = time.Duration(e.BulkS) * time.Second
	if _, err := fmt.Sscanf(e.WorkHours, "%d-%d", &c.WorkFrom, &c.WorkTo); err != nil || c.WorkFrom < 0 || c.WorkTo > 24 || c.WorkFrom >= c.WorkTo {
		return c, fmt.Errorf("WHATSAPP_WORK_HOURS: %q is not a range of hours like 7-18", e.WorkHours)
	}
	var err error
	if c.Location, err = time.LoadLocation(e.Timezone); err != nil {
		return c, fmt.Errorf("WHATSAPP_TIMEZONE: %w", err)
	}
	if c.WebVersion = e.WebVersion; c.WebVersion != "" {
		if _, err := store.ParseVersion(c.WebVersion); err != nil {
			return c, fmt.Errorf("WHATSAPP_WEB_VERSION: %w", err)
		}
	}
	c.PerSecond = float64(e.PerSecond)
	c.PerChat = time.Duration(e.ChatMS) * time.Millisecond
	c.PerGroup = time.Duration(e.GroupMS) * time.Millisecond
	c.MenuTTL = time.Duration(e.MenuHours) * time.Hour
	return c, nil
}

// runWhatsApp is `klabot whatsapp pair [--phone +62...] | status`.
func runWhatsApp(ctx context.Context, app *App, args []string) error {
	if len(args) == 0 {
		return usageError{"usage: klabot whatsapp pair [--phone +62...] [--timeout 3m] | status [--connect] | groups"}
	}
	switch args[0] {
	case "pair":
		return runWhatsAppPair(ctx, app, args[1:])
	case "status":
		return runWhatsAppStatus(ctx, app, args[1:])
	case "groups":
		return runWhatsAppGroups(ctx, app, args[1:])
	}
	return usageError{fmt.Sprintf("unknown whatsapp command %q: use pair, status or groups", args[0])}
}

// openWhatsAppDevices opens klabot's database and whatsmeow's device store in it.
func openWhatsAppDevices(ctx context.Context, app *App) (*postgres.Store, *sqlstore.Container, error) {
	pool, err := app.DB(ctx)
	if err != nil {
		return nil, nil, err
	}
	devices, err := whatsapp.OpenDevices(ctx, stdlib.OpenDBFromPool(pool), app.Log)
	if err != nil {
		return nil, nil, err
	}
	return postgres.New(pool, app.Now), devices, nil
}

// openWhatsAppDevice is the common start of the `klabot whatsapp` subcommands: the channel's
// configuration, klabot's store, and the device slot (dev.ID is nil while no number is paired).
func openWhatsAppDevice(ctx context.Context, app *App) (whatsappConfig, *postgres.Store, *store.Device, error) {
	wcfg, err := loadWhatsAppConfig(app.Getenv)
	if err != nil {
		return whatsappConfig{}, nil, nil, err
	}
	st, devices, err := openWhatsAppDevices(ctx, app)
	if err != nil {
		return whatsappConfig{}, nil, nil, err
	}
	dev, err := devices.GetFirstDevice(ctx)
	if err != nil {
		return whatsappConfig{}, nil, nil, fmt.Errorf("read whatsapp device store: %w", err)
	}
	return wcfg, st, dev, nil
}

func runWhatsAppPair(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("whatsapp pair", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	phone := fs.String("phone", "", "pair by a code typed on the phone instead of a QR code: the bot's number, e.g. +6281234567890")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up when pairing has not finished after this long")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	digits := ""
	if *phone != "" {
		if digits = whatsapp.NormalizePhone(*phone); digits == "" {
			return usageError{fmt.Sprintf("--phone %q is not a phone number; write it like +6281234567890", *phone)}
		}
	}
	wcfg, st, dev, err := openWhatsAppDevice(ctx, app)
	if err != nil {
		return err
	}
	if dev.ID != nil {
		return fmt.Errorf("a WhatsApp number is already paired (%s); unlink it on the phone (Perangkat tertaut) and run `klabot whatsapp pair` again to pair another", dev.ID.ToNonAD())
	}
	lock, err := st.TryLockSession(ctx, whatsappSessionLock, 0)
	if errors.Is(err, conversations.ErrConflict) {
		return errors.New("another klabot process holds the WhatsApp session (is `klabot serve` pairing or connected?); stop it first")
	}
	if err != nil {
		return err
	}
	defer lock.Release(context.WithoutCancel(ctx))

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	setWhatsAppVersion(ctx, app, wcfg, app.Log)
	client, err := newWhatsAppClient(app, wcfg, dev, "pair")
	if err != nil {
		return err
	}
	connected := make(chan struct{}, 1)
	outdated := make(chan struct{}, 1)
	client.AddEventHandler(func(evt any) {
		ch := connected
		switch evt.(type) {
		case *events.Connected:
		case *events.ClientOutdated:
			ch = outdated
		default:
			return
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	})
	qr, err := client.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("start pairing: %w", err)
	}
	defer client.Disconnect()
	w := app.Stdout
	printPairSteps(w, digits)
	fmt.Fprintln(w, "Menghubungi server WhatsApp… / Connecting to WhatsApp…")
	if err := client.ConnectContext(ctx); err != nil {
		return fmt.Errorf("cannot reach WhatsApp (%v): check the network or proxy of this machine and run `klabot whatsapp pair` again", err)
	}
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("pairing did not finish within %s: run `klabot whatsapp pair` again", *timeout)
		case <-outdated:
			return errClientOutdated
		case item, ok := <-qr:
			if !ok {
				return errors.New("pairing ended without success: run `klabot whatsapp pair` again")
			}
			switch item.Event {
			case whatsmeow.QRChannelEventCode:
				if digits == "" {
					qrterminal.GenerateHalfBlock(item.Code, qrterminal.L, w)
					fmt.Fprintf(w, "Pindai kode QR di atas dalam %s. / Scan the QR code above within %s.\n", item.Timeout.Round(time.Second), item.Timeout.Round(time.Second))
					continue
				}
				code, err := client.PairPhone(ctx, digits, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
				if err != nil {
					return fmt.Errorf("ask WhatsApp for a pairing code: %w", err)
				}
				fmt.Fprintf(w, "\n    Kode tautan / Pairing code:  %s\n\nKetik kode ini di ponsel (notifikasi WhatsApp, atau Perangkat tertaut → Tautkan dengan nomor telepon saja).\nType this code on the phone (WhatsApp notification, or Linked devices → Link with phone number instead).\n", code)
				digits = "" // one code per run; later QR codes are ignored
				qr = drainCodes(qr)
			case "success":
				select { // let the first login finish, so the keys are stored
				case <-connected:
				case <-time.After(20 * time.Second):
				case <-ctx.Done():
				}
				fmt.Fprintf(w, "Berhasil ditautkan / Paired: %s\nJalankan `klabot serve` dengan WHATSAPP_ENABLED=true. / Run `klabot serve` with WHATSAPP_ENABLED=true.\n", jidOf(client))
				return nil
			case "timeout":
				return errors.New("no QR code was scanned in time: run `klabot whatsapp pair` again")
			case whatsmeow.QRChannelEventError:
				select {
				case <-outdated:
					return errClientOutdated
				default:
				}
				return fmt.Errorf("pairing failed: %v", item.Error)
			default:
				return fmt.Errorf("pairing failed: %s", item.Event)
			}
		}
	}
}

// setWhatsAppVersion makes whatsmeow announce the current WhatsApp Web version: the one in
// WHATSAPP_WEB_VERSION, else the one web.whatsapp.com serves now. WhatsApp refuses old
// versions ("client outdated", 405), and the whatsmeow in go.mod carries the version of
// its release day. When the lookup fails the version already set stays (the built-in one
// at first).
func setWhatsAppVersion(ctx context.Context, app *App, wcfg whatsappConfig, log *slog.Logger) {
	if wcfg.WebVersion != "" {
		v, _ := store.ParseVersion(wcfg.WebVersion) // checked when loading the config
		store.SetWAVersion(v)
		log.Info("whatsapp: web version from WHATSAPP_WEB_VERSION", "version", v.String())
		return
	}
	hc := &http.Client{Timeout: 15 * time.Second}
	if wcfg.Proxy != "" {
		if u, err := url.Parse(wcfg.Proxy); err == nil {
			hc.Transport = &http.Transport{Proxy: http.ProxyURL(u)}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := whatsmeow.GetLatestVersion(ctx, hc)
	if err != nil {
		log.Warn("whatsapp: cannot fetch the current web version; using "+store.GetWAVersion().String()+" (set WHATSAPP_WEB_VERSION if WhatsApp says the client is outdated)", "err", err)
		return
	}
	store.SetWAVersion(*v)
	log.Info("whatsapp: web version", "version", v.String())
}

// errClientOutdated is how a 405 is reported: no pairing problem, an old client.
var errClientOutdated = errors.New("WhatsApp rejects this client as outdated (405): update klabot (or go.mau.fi/whatsmeow, see docs/whatsapp.md), or set WHATSAPP_WEB_VERSION to the current WhatsApp Web version")

// newWhatsAppClient returns a whatsmeow client on dev with the configured device name and
// proxy.
func newWhatsAppClient(app *App, wcfg whatsappConfig, dev *store.Device, module string) (*whatsmeow.Client, error) {
	// The OS name is what the phone lists under linked devices; whatsmeow keeps it in a
	// package variable, set here once per process before connecting.
	store.SetOSInfo(wcfg.DeviceName, [3]uint32{1, 0, 0})
	client := whatsmeow.NewClient(dev, whatsapp.Logger(app.Log, module))
	if wcfg.Proxy != "" {
		if err := client.SetProxyAddress(wcfg.Proxy); err != nil {
			return nil, fmt.Errorf("WHATSAPP_PROXY: %w", err)
		}
	}
	return client, nil
}

// drainCodes passes on the channel's final items and drops further QR codes, which the
// phone-code flow does not show.
func drainCodes(in <-chan whatsmeow.QRChannelItem) <-chan whatsmeow.QRChannelItem {
	out := make(chan whatsmeow.QRChannelItem)
	go func() {
		defer close(out)
		for item := range in {
			if item.Event != whatsmeow.QRChannelEventCode {
				out <- item
				return
			}
		}
	}()
	return out
}

func jidOf(c *whatsmeow.Client) string {
	if c.Store.ID == nil {
		return "?"
	}
	return c.Store.ID.ToNonAD().String()
}

func printPairSteps(w io.Writer, phone string) {
	fmt.Fprintln(w, "Menautkan nomor WhatsApp ke klabot / Linking a WhatsApp number to klabot")
	if phone == "" {
		fmt.Fprint(w, `1. Di ponsel nomor bot: WhatsApp → Setelan → Perangkat tertaut → Tautkan perangkat.
   On the bot's phone: WhatsApp → Settings → Linked devices → Link a device.
2. Pindai kode QR yang muncul di bawah (kode baru muncul tiap ±20 detik).
   Scan the QR code that appears below (a new one every ~20 seconds).
`)
		return
	}
	fmt.Fprintf(w, `1. Siapkan ponsel dengan nomor +%s. / Have the phone with number +%s at hand.
2. Kode tautan 8 huruf muncul di bawah; ketik di WhatsApp ponsel itu (Perangkat tertaut → Tautkan dengan nomor telepon saja).
   An 8-letter pairing code appears below; type it in WhatsApp on that phone (Linked devices → Link with phone number instead).
`, phone, phone)
}
