-- The staff web page: one-time login links (sent by /masuk) and the sessions they open.
-- Only SHA-256 hashes of the tokens are stored, so a copy of the database opens no session.
-- A staff member is who the chat knows: channel and user id, the same as in audit_log, and the
-- public address that names them in [bot] staff where the channel has one (WhatsApp's number).
CREATE TABLE web_links (
    token_hash  TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL,                   -- the staff member's in the chat: the pages'
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT                             -- set when it opened a session: never again
) WITHOUT ROWID;

CREATE INDEX web_links_staff ON web_links (channel, user_id, created_at);

CREATE TABLE web_sessions (
    token_hash    TEXT PRIMARY KEY,
    channel       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    csrf          TEXT NOT NULL,                 -- the session's form token (not a secret at rest)
    language      TEXT NOT NULL,
    search        TEXT NOT NULL DEFAULT '',      -- the applicants search (kept out of URLs)
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    ended_at      TEXT                           -- logged out, or found no longer staff
) WITHOUT ROWID;

-- The applicants table sorts by readiness (the default) and by start, and pages through them.
-- Highest readiness first, ties by the earliest owner; the newest start first.
CREATE INDEX owners_readiness ON owners (readiness DESC, id);
CREATE INDEX owners_started ON owners (started_at DESC, id);
-- An applicant's page lists what was sent to them (and erasing an owner finds their rows).
CREATE INDEX outbox_owner ON outbox (owner_id);
