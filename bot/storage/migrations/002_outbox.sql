-- The outbox: every message the bot sends on its own initiative (reminders, notices to owners,
-- invitations, broadcasts) is one row, sent by the one rate-limited sender. A row is claimed
-- ("sending") before it is sent and marked after; rows still "sending" when the process starts
-- again were in flight at a crash and are sent again (and counted as possible duplicates).
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER REFERENCES owners(id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    chat_id      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,               -- "notice", "reminder", "invitation", "broadcast"
    ref          TEXT    NOT NULL,               -- what it belongs to; (kind, ref, chat) is unique
    payload      TEXT    NOT NULL,               -- JSON, turned into a message when sent
    priority     INTEGER NOT NULL DEFAULT 5,     -- lower goes first
    not_before   TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sending', 'sent', 'blocked', 'failed', 'skipped',
                                   'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    resent       INTEGER NOT NULL DEFAULT 0,     -- sent again after a crash while in flight
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    UNIQUE (kind, ref, channel, chat_id)
);

CREATE INDEX outbox_due ON outbox (status, priority, not_before);
CREATE INDEX outbox_ref ON outbox (kind, ref, status);
