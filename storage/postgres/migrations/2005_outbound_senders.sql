-- Which account (Telegram: the bot) each process working a channel's outbound queue sends
-- as (bot/outbound, issue 13). Queued jobs do not name the account that is to send them,
-- so every process working a channel's queue must send as the same one: a process whose
-- account differs from a live one's is refused at start. seen_at is renewed every 15 s;
-- a row not renewed for 60 s is a dead process's. Rows are deleted on a clean stop.
CREATE TABLE outbound_senders (
    client_id text        NOT NULL,
    channel   text        NOT NULL,
    account   text        NOT NULL,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, channel)
);
