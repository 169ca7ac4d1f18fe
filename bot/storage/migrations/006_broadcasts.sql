-- Staff broadcasts: one row per announcement; each recipient is one outbox row
-- (kind 'broadcast', ref = the broadcast id). The text is stored once here, never per recipient.
CREATE TABLE broadcasts (
    id             INTEGER PRIMARY KEY,
    channel        TEXT    NOT NULL,             -- where the staff member wrote it
    author         TEXT    NOT NULL,             -- the staff member's user id on that channel
    chat_id        TEXT    NOT NULL,             -- where progress and the report go
    language       TEXT    NOT NULL,             -- the staff member's, for progress and report
    html           TEXT    NOT NULL,             -- the announcement (reply HTML), or a caption
    file_ref       TEXT    NOT NULL DEFAULT '',  -- an attached photo or document, by the channel's id
    file_kind      TEXT    NOT NULL DEFAULT '' CHECK (file_kind IN ('', 'photo', 'document')),
    audience       TEXT    NOT NULL,             -- JSON: {"kind": ..., "value": ...}
    status         TEXT    NOT NULL
                   CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled', 'stopped',
                                     'missed')),
    scheduled_for  TEXT,                         -- UTC; NULL when sent at once
    total          INTEGER,                      -- recipients queued when it started
    status_message TEXT,                         -- id of the staff member's progress message
    created_at     TEXT    NOT NULL,
    started_at     TEXT,
    finished_at    TEXT
);

CREATE INDEX broadcasts_status ON broadcasts (status);

-- Owners who asked for no more announcements (/berhenti). Reminders of sessions they signed up
-- for still reach them; only broadcasts skip them.
CREATE TABLE announcement_optouts (
    owner_id  INTEGER PRIMARY KEY REFERENCES owners(id) ON DELETE CASCADE,
    at        TEXT    NOT NULL
);
