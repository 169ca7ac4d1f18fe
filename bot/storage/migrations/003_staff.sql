-- Staff conversations in progress (one question at a time, surviving restarts), and the audit
-- log of every staff action: who, what, when and how many owners it reached. No owner's
-- personal data goes into the log; owners appear by internal id only.
CREATE TABLE staff_flows (
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,         -- which conversation ("session", "broadcast", …)
    step        TEXT NOT NULL,         -- where in it
    data        TEXT NOT NULL,         -- JSON: the answers so far
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, user_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    actor     TEXT    NOT NULL,        -- the staff member's user id on that channel
    action    TEXT    NOT NULL,        -- e.g. "session.create", "broadcast.send"
    detail    TEXT    NOT NULL,        -- JSON, without personal data
    audience  INTEGER                  -- how many owners the action reaches, when it does
);

CREATE INDEX audit_log_at ON audit_log (at);
