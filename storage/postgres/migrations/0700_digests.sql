-- Digests and reminders: per-region settings and the local day of each notification.
ALTER TABLE regions
    ADD COLUMN digest_channel           text    NOT NULL DEFAULT '', -- optional group chat for the digest
    ADD COLUMN digest_chat_id           text    NOT NULL DEFAULT '',
    ADD COLUMN nudges_enabled           boolean NOT NULL DEFAULT true,
    ADD COLUMN nudge_every_working_days int     NOT NULL DEFAULT 2 CHECK (nudge_every_working_days > 0),
    ADD COLUMN nudge_daily_last_days    int     NOT NULL DEFAULT 7 CHECK (nudge_daily_last_days >= 0),
    ADD COLUMN work_start_hour          int     NOT NULL DEFAULT 8 CHECK (work_start_hour BETWEEN 0 AND 23),
    ADD COLUMN work_end_hour            int     NOT NULL DEFAULT 16 CHECK (work_end_hour BETWEEN 1 AND 24),
    ADD COLUMN work_days                int[]   NOT NULL DEFAULT '{1,2,3,4,5}', -- ISO weekdays, 1 = Monday
    ADD COLUMN escalate_after           int     NOT NULL DEFAULT 3 CHECK (escalate_after > 0);

CREATE INDEX notifications_region_kind ON notifications (region_code, kind, created_at DESC);
CREATE INDEX answers_person ON answers (person_id, created_at DESC);
CREATE INDEX evidence_person ON evidence (person_id, created_at DESC);
