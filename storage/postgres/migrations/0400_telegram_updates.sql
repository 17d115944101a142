-- Raw Telegram updates, recorded before they are handled (webhook: before answering 200),
-- so nothing is lost when klabot dies mid-way and a redelivered update_id is dropped
-- across replicas. The body is encrypted with a key derived from the bot token (it can
-- hold invite codes and personal messages) and cleared once handled; the row stays as
-- the dedupe record until pruned.
CREATE TABLE telegram_updates (
    bot_id      bigint      NOT NULL, -- the numeric prefix of the bot token
    update_id   bigint      NOT NULL,
    chat_id     text        NOT NULL DEFAULT '',
    body        bytea,                 -- sealed update JSON; NULL once handled
    received_at timestamptz NOT NULL,
    handled_at  timestamptz,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX telegram_updates_unhandled ON telegram_updates (bot_id, update_id) WHERE handled_at IS NULL;
