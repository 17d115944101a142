-- The coordinators' web dashboard (bot/web): one-time login links, download links and
-- browser sessions. Tokens are stored only as SHA-256 hashes.
CREATE TABLE web_links (
    token_hash text PRIMARY KEY,
    person_id  bigint      NOT NULL REFERENCES people (id),
    purpose    text        NOT NULL CHECK (purpose IN ('login', 'download')),
    target     text        NOT NULL DEFAULT '', -- download: what it fetches, e.g. "pack:2026"
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,                     -- login links are single use
    created_at timestamptz NOT NULL
);
CREATE INDEX web_links_person ON web_links (person_id, created_at DESC);

CREATE TABLE web_sessions (
    token_hash   text PRIMARY KEY,
    person_id    bigint      NOT NULL REFERENCES people (id),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL, -- idle expiry counts from here
    ended_at     timestamptz           -- logged out
);
CREATE INDEX web_sessions_person ON web_sessions (person_id);
