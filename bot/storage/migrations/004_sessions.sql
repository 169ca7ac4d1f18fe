-- Training sessions, sign-ups with a waiting list, and yearly interest lists.
-- Times are UTC ISO strings; people see them in WIB.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    key         TEXT UNIQUE,                     -- set for sessions seeded from config.toml
    title       TEXT    NOT NULL,
    starts_at   TEXT    NOT NULL,
    place       TEXT    NOT NULL DEFAULT '',
    capacity    INTEGER NOT NULL DEFAULT 30 CHECK (capacity > 0),
    year        INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'full', 'closed', 'cancelled', 'done')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE registrations (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    owner_id      INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    status        TEXT    NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
    position      INTEGER,                       -- place on the waiting list while waiting
    attendance    TEXT    CHECK (attendance IN ('confirmed', 'declined', 'attended', 'absent')),
    registered_at TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (session_id, owner_id)
);

CREATE INDEX registrations_session ON registrations (session_id, status, position);
CREATE INDEX registrations_owner ON registrations (owner_id);

CREATE TABLE interest_lists (
    year       INTEGER PRIMARY KEY,
    opened_at  TEXT NOT NULL,
    closed_at  TEXT                              -- NULL while owners can join
);

CREATE TABLE interest (
    year       INTEGER NOT NULL REFERENCES interest_lists(year) ON DELETE CASCADE,
    owner_id   INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    joined_at  TEXT    NOT NULL,
    PRIMARY KEY (year, owner_id)
) WITHOUT ROWID;
