package whatsapp

import (
	"context"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"io"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/conversations"
)

func TestInboundConversion(t *testing.T) {
	t.Parallel()
	const chat = phoneUser + "@s.whatsapp.net"
	lidDM := func(alt types.JID) *events.Message {
		info := dm("L1", types.NewADJID(lidUser, 0, 3))
		info.Chat = lidJID
		info.Sender = types.NewADJID(lidUser, 0, 3)
		info.Sender.Server = types.HiddenUserServer
		info.SenderAlt = alt
		info.AddressingMode = types.AddressingModeLID
		return &events.Message{Info: info, Message: &waE2E.Message{Conversation: proto.String("lanjut")}}
	}
	group := func(g types.JID, text string) *events.Message {
		info := dm("G1", pnDevice)
		info.Chat, info.IsGroup = g, true
		return &events.Message{Info: info, Message: &waE2E.Message{Conversation: proto.String(text)}}
	}
	fromMe := textEvent("M1", "halo")
	fromMe.Info.IsFromMe = true
	edit := textEvent("E1", "ya")
	edit.IsEdit = true
	// As whatsmeow delivers a real edit: the edited-message wrapper unwrapped (IsEdit),
	// leaving the protocol message that names the original and carries the new text.
	protocolEdit := &events.Message{Info: dm("E2", pnDevice), Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: &waCommon.MessageKey{ID: proto.String("ORIG1")},
		EditedMessage: &waE2E.Message{Conversation: proto.String("tidak")},
	}}}
	protocolEdit.Info.Edit = types.EditAttributeMessageEdit
	groupEdit := group(digestGrp, "/nilai")
	groupEdit.Message = protocolEdit.Message
	// A member of the digest group who writes by a hidden id, as groups in LID addressing
	// mode deliver: Sender is the @lid device, SenderAlt the phone (or nothing).
	lidInGroup := func(alt types.JID) *events.Message {
		e := group(digestGrp, "/nilai")
		e.Info.Sender = types.JID{User: lidUser, Server: types.HiddenUserServer, Device: 2}
		e.Info.SenderAlt = alt
		e.Info.AddressingMode = types.AddressingModeLID
		return e
	}
	status := textEvent("S1", "status")
	status.Info.Chat = types.StatusBroadcastJID
	extended := &events.Message{Info: dm("X1", pnDevice), Message: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("  DAFTAR AB12CD  ")}}}
	voice := &events.Message{Info: dm("V1", pnDevice), Message: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}}
	reaction := &events.Message{Info: dm("R1", pnDevice), Message: &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}}

	tests := []struct {
		name   string
		evt    *events.Message
		ok     bool
		chat   string
		sender string
		text   string
		group  bool
	}{
		{"plain text from a device JID", textEvent("T1", " ya "), true, chat, phoneUser, "ya", false},
		{"extended text", extended, true, chat, phoneUser, "DAFTAR AB12CD", false},
		{"lid chat with SenderAlt", lidDM(pnDevice), true, chat, phoneUser, "lanjut", false},
		{"lid chat resolved by the device store", lidDM(types.JID{}), true, chat, phoneUser, "lanjut", false},
		{"lid chat without a known phone", lidDM(types.JID{}), true, lidUser + "@lid", "lid:" + lidUser, "lanjut", false},
		{"lid sender in the digest group with SenderAlt", lidInGroup(pnDevice), true, digestGrp.String(), phoneUser, "/nilai", true},
		{"lid sender in the digest group without a known phone", lidInGroup(types.JID{}), true, digestGrp.String(), "lid:" + lidUser, "/nilai", true},
		{"command in the digest group", group(digestGrp, "/ringkasan"), true, digestGrp.String(), phoneUser, "/ringkasan", true},
		{"chatter in the digest group ignored", group(digestGrp, "selamat pagi bapak ibu"), false, "", "", "", false},
		{"other group ignored", group(otherGrp, "/ringkasan"), false, "", "", "", false},
		{"own message ignored", fromMe, false, "", "", "", false},
		{"edit answered with a notice", edit, true, chat, phoneUser, "", false},
		{"edit protocol message answered with a notice", protocolEdit, true, chat, phoneUser, "", false},
		{"edit in the digest group ignored", groupEdit, false, "", "", "", false},
		{"status broadcast ignored", status, false, "", "", "", false},
		{"voice note kept without content", voice, true, chat, phoneUser, "", false},
		{"reaction ignored", reaction, false, "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fc := newFakeClient()
			if tt.name == "lid chat resolved by the device store" {
				fc.lids[lidUser] = phoneUser
			}
			a := New(fc, nil, nil, Config{DigestGroups: []string{digestGrp.String()}})
			in, ok := a.Inbound(context.Background(), tt.evt)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, in)
			}
			if !ok {
				return
			}
			if in.Channel != conversations.ChannelWhatsApp || in.ChatID != tt.chat || in.SenderID != tt.sender || in.Text != tt.text || in.Group != tt.group {
				t.Errorf("got channel %q chat %q sender %q text %q group %v; want chat %q sender %q text %q group %v",
					in.Channel, in.ChatID, in.SenderID, in.Text, in.Group, tt.chat, tt.sender, tt.text, tt.group)
			}
			if in.MessageID != string(tt.evt.Info.ID) || in.SenderName != "Bu Sari" || in.At.IsZero() {
				t.Errorf("message id %q name %q at %v", in.MessageID, in.SenderName, in.At)
			}
		})
	}
}

func TestInboundLIDWithoutPhoneNumber(t *testing.T) {
	t.Parallel()
	a := New(newFakeClient(), nil, nil, Config{})
	info := dm("L2", lidJID)
	in, ok := a.Inbound(context.Background(), &events.Message{Info: info, Message: &waE2E.Message{Conversation: proto.String("halo")}})
	if !ok || in.ChatID != lidUser+"@lid" || in.SenderID != "lid:"+lidUser {
		t.Fatalf("got ok=%v chat %q sender %q; want the lid kept apart from phone numbers", ok, in.ChatID, in.SenderID)
	}
}

func TestInboundMedia(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	fc.media["/img/1"] = []byte("\xff\xd8\xffjpeg")
	a := New(fc, nil, nil, Config{MediaRetryWait: 10 * time.Millisecond})
	ctx := context.Background()

	in, ok := a.Inbound(ctx, imageEvent("IMG00000001", "/img/1", "ruang bermain", 7))
	if !ok || len(in.Files) != 1 || in.Text != "ruang bermain" {
		t.Fatalf("image: ok=%v %+v", ok, in)
	}
	f := in.Files[0]
	if f.Name != "foto-00000001.jpg" || f.MIME != "image/jpeg" || f.Size != 7 {
		t.Errorf("image file %q %q %d", f.Name, f.MIME, f.Size)
	}
	rc, err := f.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if string(b) != "\xff\xd8\xffjpeg" {
		t.Errorf("content %q", b)
	}

	for _, tc := range []struct{ name, mime, want string }{
		{"SK Gugus Tugas.pdf", "application/pdf", "SK Gugus Tugas.pdf"},
		{"", "application/pdf", "dokumen-DOC00001.pdf"},
	} {
		in, ok = a.Inbound(ctx, documentEvent("DOC00001", "/doc/1", tc.name, tc.mime, 100))
		if !ok || len(in.Files) != 1 || in.Files[0].Name != tc.want || in.Files[0].MIME != tc.mime {
			t.Errorf("document %q: ok=%v %+v", tc.name, ok, in.Files)
		}
	}

	// A download that fails asks the phone to re-upload.
	in, _ = a.Inbound(ctx, imageEvent("GONE", "/img/gone", "", 5))
	if _, err := in.Files[0].Open(ctx); err == nil {
		t.Fatal("download of missing media succeeded")
	}
	if len(fc.retries) != 1 || fc.retries[0] != "GONE" {
		t.Errorf("retry receipts %v, want [GONE]", fc.retries)
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+62 812-3456-7890": "6281234567890",
		"0812 3456 7890":    "6281234567890",
		"6281234567890":     "6281234567890",
		"12":                "",
	} {
		if got := NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDigestGroupsFromRegions(t *testing.T) {
	t.Parallel()
	a := New(newFakeClient(), nil, nil, Config{DigestGroups: []string{digestGrp.String()}})
	info := dm("G2", pnDevice)
	info.Chat, info.IsGroup = otherGrp, true
	evt := &events.Message{Info: info, Message: &waE2E.Message{Conversation: proto.String("/ringkasan")}}
	if _, ok := a.Inbound(context.Background(), evt); ok {
		t.Fatal("message of an unknown group was taken")
	}
	// A region names the other group as its digest chat.
	a.SetDigestGroups([]string{otherGrp.String()})
	in, ok := a.Inbound(context.Background(), evt)
	if !ok || !in.Group || in.ChatID != otherGrp.String() {
		t.Fatalf("region digest group: ok=%v %+v", ok, in)
	}
	// The configured group stays.
	info.Chat = digestGrp
	if _, ok := a.Inbound(context.Background(), &events.Message{Info: info, Message: evt.Message}); !ok {
		t.Error("configured group dropped by SetDigestGroups")
	}
}
