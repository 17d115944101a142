-- klabot base schema. Nothing is deleted by normal use: corrections are new versions.
-- Migration files are applied in name order and recorded by name in schema_migrations.
-- Number ranges per area keep parallel work from colliding:
-- 0001-0099 base, 0100 foundation/import, 0200 engine, 0300 scoring, 0400 telegram,
-- 0500 whatsapp, 0600 review/export, 0700 digests/nudges, 0800 load.

CREATE TABLE regions (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL DEFAULT 'kota' CHECK (kind IN ('kabupaten', 'kota')),
    province    text NOT NULL DEFAULT '',
    time_zone   text NOT NULL DEFAULT 'Asia/Jakarta', -- IANA name
    digest_hour int  NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
    deadline    date,
    year        int,                                   -- evaluation year in progress
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE instruments (
    year          int PRIMARY KEY,
    name          text NOT NULL,
    version       int  NOT NULL DEFAULT 1, -- bumped on every re-import that changes something
    source_sha256 text NOT NULL DEFAULT '',
    imported_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clusters (
    year     int  NOT NULL REFERENCES instruments (year),
    code     text NOT NULL,
    name     text NOT NULL,
    position int  NOT NULL,
    PRIMARY KEY (year, code)
);

CREATE TABLE indicators (
    year         int     NOT NULL,
    code         text    NOT NULL,
    cluster_code text    NOT NULL,
    name         text    NOT NULL,
    max_points   numeric NOT NULL CHECK (max_points >= 0),
    position     int     NOT NULL,
    PRIMARY KEY (year, code),
    FOREIGN KEY (year, cluster_code) REFERENCES clusters (year, code)
);

CREATE TABLE questions (
    year              int     NOT NULL,
    code              text    NOT NULL,
    indicator_code    text    NOT NULL,
    position          int     NOT NULL, -- order inside the whole instrument
    text              text    NOT NULL,
    help              text    NOT NULL DEFAULT '',
    answer_type       text    NOT NULL,
    options           jsonb   NOT NULL DEFAULT '{}', -- {"options":[...],"bands":[...],"target":n}
    weight            numeric NOT NULL DEFAULT 1 CHECK (weight > 0),
    evidence_required boolean NOT NULL DEFAULT false,
    opd_codes         text[]  NOT NULL,
    retired           boolean NOT NULL DEFAULT false, -- dropped by a later import; answers kept
    PRIMARY KEY (year, code),
    FOREIGN KEY (year, indicator_code) REFERENCES indicators (year, code)
);

-- A region's agencies. answers_for lists the national OPD codes of the instrument it answers
-- (a local "DP3AP2KB" answers for "DP3A" and "DPPKB").
CREATE TABLE opds (
    id          bigserial PRIMARY KEY,
    region_code text   NOT NULL REFERENCES regions (code),
    code        text   NOT NULL,
    name        text   NOT NULL,
    answers_for text[] NOT NULL DEFAULT '{}',
    UNIQUE (region_code, code)
);

CREATE TABLE people (
    id             bigserial PRIMARY KEY,
    region_code    text NOT NULL REFERENCES regions (code),
    opd_id         bigint REFERENCES opds (id),
    name           text NOT NULL,
    role           text NOT NULL CHECK (role IN ('focal_point', 'coordinator', 'head', 'admin')),
    phone          text NOT NULL DEFAULT '', -- E.164 digits without '+', e.g. 6281234567890
    language       text NOT NULL DEFAULT 'id',
    unreachable_at timestamptz,              -- set when a channel says the person blocked us
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'focal_point' OR opd_id IS NOT NULL)
);
CREATE INDEX people_region ON people (region_code, role);

-- A chat identity bound to a person (Telegram user id, WhatsApp phone, console name).
CREATE TABLE identities (
    channel     text   NOT NULL,
    external_id text   NOT NULL,
    chat_id     text   NOT NULL, -- where to write to this person on that channel
    person_id   bigint NOT NULL REFERENCES people (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX identities_person ON identities (person_id);

-- Invites are stored only as a SHA-256 of the code; single use; they expire.
CREATE TABLE invites (
    code_hash  text PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id),
    created_by bigint REFERENCES people (id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only answer versions per (region, year, question). The current answer is the
-- highest version.
CREATE TABLE answers (
    id            bigserial PRIMARY KEY,
    region_code   text    NOT NULL REFERENCES regions (code),
    year          int     NOT NULL,
    question_code text    NOT NULL,
    version       int     NOT NULL,
    value_text    text    NOT NULL DEFAULT '',
    value_number  double precision,
    narrative     text    NOT NULL DEFAULT '',
    person_id     bigint  NOT NULL REFERENCES people (id),
    channel       text    NOT NULL,
    message_id    text    NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    UNIQUE (region_code, year, question_code, version),
    FOREIGN KEY (year, question_code) REFERENCES questions (year, code)
);

CREATE VIEW current_answers AS
SELECT DISTINCT ON (region_code, year, question_code) *
FROM answers
ORDER BY region_code, year, question_code, version DESC;

-- Questions a person skipped: remembered as gaps, never overriding an answer.
CREATE TABLE skips (
    region_code   text   NOT NULL,
    year          int    NOT NULL,
    question_code text   NOT NULL,
    person_id     bigint NOT NULL REFERENCES people (id),
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (region_code, year, question_code, person_id)
);

-- Evidence files of an answer version. The blob key is the file's SHA-256 (content-addressed).
CREATE TABLE evidence (
    id            bigserial PRIMARY KEY,
    answer_id     bigint NOT NULL REFERENCES answers (id),
    blob_key      text   NOT NULL,
    mime_type     text   NOT NULL,
    size_bytes    bigint NOT NULL,
    original_name text   NOT NULL,
    person_id     bigint NOT NULL REFERENCES people (id),
    channel       text   NOT NULL,
    message_id    text   NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
CREATE INDEX evidence_answer ON evidence (answer_id);

CREATE TABLE reviews (
    id          bigserial PRIMARY KEY,
    answer_id   bigint NOT NULL REFERENCES answers (id),
    state       text   NOT NULL CHECK (state IN ('approved', 'needs_revision', 'rejected')),
    note        text   NOT NULL DEFAULT '',
    reviewer_id bigint NOT NULL REFERENCES people (id),
    created_at  timestamptz NOT NULL
);
CREATE INDEX reviews_answer ON reviews (answer_id, created_at DESC);

-- The idempotency record: one row per platform message handled.
CREATE TABLE inbound_messages (
    channel     text NOT NULL,
    message_id  text NOT NULL,
    chat_id     text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (channel, message_id)
);

-- The last known dialogue position of a person, so a lost Redis state can be rebuilt.
CREATE TABLE dialogue_checkpoints (
    person_id  bigint PRIMARY KEY REFERENCES people (id),
    state      jsonb NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Every proactive message (digest, nudge, escalation, review notice): what, to whom, outcome.
-- dedupe_key makes "once per region per day" a constraint, not a hope.
CREATE TABLE notifications (
    id          bigserial PRIMARY KEY,
    region_code text NOT NULL REFERENCES regions (code),
    person_id   bigint REFERENCES people (id),
    kind        text NOT NULL,
    dedupe_key  text NOT NULL UNIQUE,
    channel     text NOT NULL DEFAULT '',
    chat_id     text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX notifications_person ON notifications (person_id, kind, created_at DESC);

CREATE TABLE score_snapshots (
    region_code text    NOT NULL REFERENCES regions (code),
    year        int     NOT NULL,
    day         date    NOT NULL, -- in the region's own time zone
    claimed     numeric NOT NULL,
    evidenced   numeric NOT NULL,
    verified    numeric NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (region_code, year, day)
);
