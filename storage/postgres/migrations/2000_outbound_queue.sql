-- The durable outbound queue (issue 13, bot/outbound). River's own tables (river_job ...)
-- are created by rivermigrate in Migrate before these files run.
--
-- outbound_deliveries: one row per message of a delivery job once its fate is known, written
-- right after the platform accepted it (state sent, with the platform's message id) or
-- gave up on it (blocked, failed, with the reason). A job retried after a crash skips the
-- messages it finds here: each message is sent at most once per job. It is also the
-- notifications log (`klabot notifications`).
CREATE TABLE outbound_deliveries (
    job_id          bigint      NOT NULL,
    idx             integer     NOT NULL,
    channel         text        NOT NULL,
    chat_id         text        NOT NULL,
    person_id       bigint,
    kind            text        NOT NULL DEFAULT '',
    notification_id bigint,
    state           text        NOT NULL CHECK (state IN ('sent', 'blocked', 'failed')),
    platform_id     text        NOT NULL DEFAULT '',
    reason          text        NOT NULL DEFAULT '',
    queued_at       timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (job_id, idx)
);
CREATE INDEX outbound_deliveries_person ON outbound_deliveries (person_id, recorded_at);
CREATE INDEX outbound_deliveries_recorded ON outbound_deliveries (recorded_at);

-- Files sent with queued messages (digest charts, forwarded evidence), sealed like the
-- messages themselves, referenced from the job's arguments by id; deleted when their job
-- is done.
CREATE TABLE outbound_attachments (
    id         bigserial   PRIMARY KEY,
    sealed     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Per-chat order across workers and replicas: a delivery job waits while an earlier job
-- (lower id) of the same chat is not finished. This partial index makes that look-up one
-- index probe; finished jobs leave it.
CREATE INDEX river_job_outbound_chat ON river_job ((args ->> 'chat_key'), id)
    WHERE kind = 'klabot_outbound' AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled');
