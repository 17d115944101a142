-- WhatsApp messages klabot sent, kept a week so that a retry receipt (a recipient's phone
-- could not decrypt a message and asks for it again) is answered also after a restart,
-- when whatsmeow's in-memory cache of recent messages is gone. The body is the message,
-- sealed like whatsapp_messages.body.
CREATE TABLE whatsapp_sent (
    message_id text        PRIMARY KEY,
    chat_id    text        NOT NULL,
    body       bytea       NOT NULL,
    sent_at    timestamptz NOT NULL
);
CREATE INDEX whatsapp_sent_at ON whatsapp_sent (sent_at);
