package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/conversations"
)

// fakeClient stands in for *whatsmeow.Client: it records what is sent, serves media by
// direct path, and fails downloads of paths it does not know.
type fakeClient struct {
	mu        sync.Mutex
	sent      []sentMessage
	media     map[string][]byte // direct path -> content
	retries   []types.MessageID // media retry receipts sent
	read      []types.MessageID // read receipts sent
	lids      map[string]string // lid user -> phone user
	sendErr   error
	uploads   int
	connected bool
	typing    []types.JID                   // chats shown "typing…"
	extras    []time.Duration               // send timeouts asked for
	downloads map[string]error              // direct path -> error returned with the data (warnings) or alone
	uploaded  [][]byte                      // what was uploaded
	retried   func(info *types.MessageInfo) // called on a media retry receipt

	// Conn
	handlers    []whatsmeow.EventHandlerWithSuccessStatus
	connectErr  error
	connects    int
	disconnects int
	presences   int
	ids         int
}

type sentMessage struct {
	To  types.JID
	ID  types.MessageID
	Msg *waE2E.Message
}

func newFakeClient() *fakeClient {
	return &fakeClient{media: map[string][]byte{}, lids: map[string]string{}, downloads: map[string]error{}, connected: true}
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return whatsmeow.SendResponse{}, f.sendErr
	}
	sm := sentMessage{To: to, Msg: msg}
	for _, e := range extra {
		f.extras = append(f.extras, e.Timeout)
		sm.ID = e.ID
	}
	f.sent = append(f.sent, sm)
	return whatsmeow.SendResponse{ID: types.MessageID("OUT" + string(rune('A'+len(f.sent)))), Timestamp: time.Now()}, nil
}

func (f *fakeClient) Download(_ context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.media[msg.GetDirectPath()]
	if err := f.downloads[msg.GetDirectPath()]; err != nil {
		return data, err
	}
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith410
	}
	return data, nil
}

func (f *fakeClient) Upload(_ context.Context, data []byte, _ whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads++
	f.uploaded = append(f.uploaded, data)
	return whatsmeow.UploadResponse{URL: "https://mmg.example/u", DirectPath: "/u", MediaKey: []byte("k"), FileLength: uint64(len(data))}, nil
}

func (f *fakeClient) SendMediaRetryReceipt(_ context.Context, info *types.MessageInfo, _ []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retries = append(f.retries, info.ID)
	if f.retried != nil {
		go f.retried(info)
	}
	return nil
}

func (f *fakeClient) SendChatPresence(_ context.Context, jid types.JID, _ types.ChatPresence, _ types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.typing = append(f.typing, jid)
	return nil
}

func (f *fakeClient) GenerateMessageID() types.MessageID {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return types.MessageID(fmt.Sprintf("3EB0%012d", f.ids))
}

func (f *fakeClient) ConnectContext(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects++
	return f.connectErr
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnects++
	f.connected = false
}

func (f *fakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers = append(f.handlers, h)
	return uint32(len(f.handlers))
}

func (f *fakeClient) SendPresence(context.Context, types.Presence) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presences++
	return nil
}

// emit delivers an event as whatsmeow's receive loop does and reports whether every
// handler succeeded (whatsmeow acks a message only then, with SynchronousAck).
func (f *fakeClient) emit(evt any) bool {
	f.mu.Lock()
	hs := append([]whatsmeow.EventHandlerWithSuccessStatus(nil), f.handlers...)
	f.mu.Unlock()
	for _, h := range hs {
		if !h(evt) {
			return false
		}
	}
	return true
}

var _ Conn = (*fakeClient)(nil)

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, chat, sender types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if chat.IsEmpty() || (chat.Server == types.GroupServer && sender.IsEmpty()) {
		return errors.New("read receipt without chat, or group receipt without sender")
	}
	f.read = append(f.read, ids...)
	return nil
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

func (f *fakeClient) PNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pn, ok := f.lids[lid.User]; ok {
		return types.NewJID(pn, types.DefaultUserServer), nil
	}
	return types.JID{}, nil
}

func (f *fakeClient) sentTexts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		switch {
		case s.Msg.GetConversation() != "":
			out = append(out, s.Msg.GetConversation())
		case s.Msg.GetImageMessage() != nil:
			out = append(out, "[foto] "+s.Msg.GetImageMessage().GetCaption())
		case s.Msg.GetDocumentMessage() != nil:
			out = append(out, "[dokumen "+s.Msg.GetDocumentMessage().GetFileName()+"] "+s.Msg.GetDocumentMessage().GetCaption())
		}
	}
	return out
}

var errNoSubmit = errors.New("no submit")

// recorder is a Submitter that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	ins []conversations.Inbound
}

func (r *recorder) Submit(_ context.Context, in conversations.Inbound, _ func(error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ins = append(r.ins, in)
	return nil
}

// Hand-built events, as whatsmeow delivers them.

const (
	phoneUser = "6281234567890"
	lidUser   = "123456789012345"
)

var (
	pnJID     = types.NewJID(phoneUser, types.DefaultUserServer)
	pnDevice  = types.NewADJID(phoneUser, 0, 12)
	lidJID    = types.NewJID(lidUser, types.HiddenUserServer)
	digestGrp = types.NewJID("120363000000000001", types.GroupServer)
	otherGrp  = types.NewJID("120363000000000002", types.GroupServer)
)

func dm(id string, from types.JID) types.MessageInfo {
	return types.MessageInfo{
		MessageSource: types.MessageSource{Chat: from.ToNonAD(), Sender: from},
		ID:            types.MessageID(id),
		PushName:      "Bu Sari",
		Timestamp:     time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC),
	}
}

func textEvent(id, text string) *events.Message {
	return &events.Message{Info: dm(id, pnDevice), Message: &waE2E.Message{Conversation: proto.String(text)}}
}

func imageEvent(id, path, caption string, size uint64) *events.Message {
	return &events.Message{Info: dm(id, pnDevice), Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Mimetype: proto.String("image/jpeg"), DirectPath: proto.String(path), MediaKey: []byte("mk"),
		FileLength: proto.Uint64(size), Caption: optional(caption),
	}}}
}

func documentEvent(id, path, name, mimeType string, size uint64) *events.Message {
	return &events.Message{Info: dm(id, pnDevice), Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		Mimetype: proto.String(mimeType), DirectPath: proto.String(path), MediaKey: []byte("mk"),
		FileLength: proto.Uint64(size), FileName: optional(name),
	}}}
}
