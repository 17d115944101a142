-- Incoming WhatsApp messages, recorded before WhatsApp gets their acknowledgement, so a
-- crash between receipt and handling loses nothing: unhandled rows are replayed when the
-- session connects again. The body (the message, sealed with a key derived from the
-- paired device's identity key) is cleared once handled; the row stays as the dedupe
-- record until pruned.
CREATE TABLE whatsapp_messages (
    message_id  text        PRIMARY KEY,
    chat_id     text        NOT NULL DEFAULT '',
    body        bytea,                 -- sealed; NULL once handled
    received_at timestamptz NOT NULL,
    handled_at  timestamptz
);
CREATE INDEX whatsapp_messages_unhandled ON whatsapp_messages (received_at) WHERE handled_at IS NULL;
