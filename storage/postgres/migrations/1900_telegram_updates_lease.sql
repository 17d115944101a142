-- Crash recovery and outages for recorded Telegram updates (issue 19).
-- lease_until: the process handling the update holds it until then and renews it while it
-- works; a dead process's updates are free again once their lease ran out, and are
-- replayed by whichever process sweeps first (FOR UPDATE SKIP LOCKED), not after minutes.
-- retry_at / attempts: an update that could not be handled because Redis or PostgreSQL was
-- down is given back (not marked handled) and replayed from retry_at; after too many
-- attempts the person is told and it is marked handled.
ALTER TABLE telegram_updates
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN retry_at    timestamptz,
    ADD COLUMN attempts    integer NOT NULL DEFAULT 0;
