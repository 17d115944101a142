package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// download fetches a media message. Data that comes with one of whatsmeow's non-fatal
// warnings (a length or plaintext hash that does not match what the message declared) is
// kept: the engine checks files by content anyway. When the media's path has expired
// (403, 404, 410, no URL), the phone is asked to upload it again (a media retry receipt)
// and the download is repeated from the new path the phone answers with.
func (a *Adapter) download(ctx context.Context, info *types.MessageInfo, msg downloadable) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.DownloadTimeout)
	defer cancel()
	c := a.currentClient()
	if c == nil {
		return nil, errNoSession
	}
	data, err := a.fetch(ctx, c, info, msg)
	if err == nil || !expiredMedia(err) {
		return data, err
	}
	path, rerr := a.mediaRetry(ctx, c, info, msg.GetMediaKey())
	if rerr != nil {
		return nil, fmt.Errorf("%w; media retry: %v", err, rerr)
	}
	return a.fetch(ctx, c, info, withDirectPath(msg, path))
}

func (a *Adapter) fetch(ctx context.Context, c Client, info *types.MessageInfo, msg downloadable) ([]byte, error) {
	data, err := c.Download(ctx, msg)
	if err != nil && len(data) > 0 && (errors.Is(err, whatsmeow.ErrFileLengthMismatch) || errors.Is(err, whatsmeow.ErrInvalidMediaSHA256)) {
		a.log.Warn("whatsapp: media downloaded with a warning; kept", "message", info.ID, "warning", err)
		return data, nil
	}
	return data, err
}

// expiredMedia reports download failures that a re-upload by the phone can mend.
func expiredMedia(err error) bool {
	return errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403) || errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404) ||
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410) || errors.Is(err, whatsmeow.ErrNoURLPresent)
}

// mediaRetry sends a media retry receipt and waits for the phone's answer
// (events.MediaRetry, routed here by HandleEvent): the new direct path of the media.
func (a *Adapter) mediaRetry(ctx context.Context, c Client, info *types.MessageInfo, mediaKey []byte) (string, error) {
	ch := make(chan *events.MediaRetry, 1)
	a.mu.Lock()
	a.retries[info.ID] = ch
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		if a.retries[info.ID] == ch {
			delete(a.retries, info.ID)
		}
		a.mu.Unlock()
	}()
	if err := c.SendMediaRetryReceipt(ctx, info, mediaKey); err != nil {
		return "", fmt.Errorf("send media retry receipt: %w", err)
	}
	wait := time.NewTimer(a.cfg.MediaRetryWait)
	defer wait.Stop()
	var evt *events.MediaRetry
	select {
	case evt = <-ch:
	case <-wait.C:
		return "", errors.New("the phone did not upload the media again in time")
	case <-ctx.Done():
		return "", ctx.Err()
	}
	notif, err := whatsmeow.DecryptMediaRetryNotification(evt, mediaKey)
	if err != nil {
		return "", err
	}
	if notif.GetResult() != waMmsRetry.MediaRetryNotification_SUCCESS || notif.GetDirectPath() == "" {
		return "", fmt.Errorf("the phone could not upload the media again (%s)", notif.GetResult())
	}
	return notif.GetDirectPath(), nil
}

// onMediaRetry hands the phone's answer to a media retry receipt to the download waiting
// for it.
func (a *Adapter) onMediaRetry(e *events.MediaRetry) {
	a.mu.Lock()
	ch := a.retries[e.MessageID]
	a.mu.Unlock()
	if ch == nil {
		a.log.Debug("whatsapp: media retry nobody waits for", "message", e.MessageID)
		return
	}
	select {
	case ch <- e:
	default:
	}
}

// withDirectPath returns a copy of msg that downloads from path.
func withDirectPath(msg downloadable, path string) downloadable {
	switch m := msg.(type) {
	case *waE2E.ImageMessage:
		c := proto.Clone(m).(*waE2E.ImageMessage)
		c.DirectPath, c.URL = proto.String(path), nil
		return c
	case *waE2E.DocumentMessage:
		c := proto.Clone(m).(*waE2E.DocumentMessage)
		c.DirectPath, c.URL = proto.String(path), nil
		return c
	}
	return msg
}

// noteSeen remembers that a message arrived decrypted (see onUndecryptable).
func (a *Adapter) noteSeen(id types.MessageID) {
	a.mu.Lock()
	if len(a.seen) > 10_000 {
		a.seen = map[types.MessageID]bool{}
	}
	a.seen[id] = true
	a.mu.Unlock()
}

// onUndecryptable answers a direct message WhatsApp could not decrypt for this device.
// whatsmeow has already asked the sender's phone to send it again; only when it has not
// arrived after UndecryptableWait is the person told, instead of meeting silence.
func (a *Adapter) onUndecryptable(ctx context.Context, e *events.UndecryptableMessage) {
	info := e.Info
	if info.IsFromMe || info.IsGroup || a.ignoredChat(&info) {
		return
	}
	time.AfterFunc(a.cfg.UndecryptableWait, func() {
		a.mu.Lock()
		seen := a.seen[info.ID]
		a.mu.Unlock()
		if seen || ctx.Err() != nil {
			return
		}
		in, m, ok := a.header(ctx, &info)
		if !ok {
			return
		}
		m.notice = noticeUndecryptable
		a.mu.Lock()
		sub := a.sub
		a.pending[string(info.ID)] = m
		a.mu.Unlock()
		if sub != nil {
			if err := sub.Submit(ctx, in, nil); err != nil {
				a.log.Warn("whatsapp: undecryptable notice not queued", "message", info.ID, "err", err)
			}
		}
	})
}
