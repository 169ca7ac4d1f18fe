-- Owners (UMKM) and their questionnaire answers.
-- No NIK is ever stored; the KTP question only asks whether the card's address is in the city.
CREATE TABLE owners (
    id               INTEGER PRIMARY KEY,
    channel          TEXT    NOT NULL,            -- "telegram", "terminal", later "whatsapp"
    external_id      TEXT    NOT NULL,            -- the channel's user id
    chat_id          TEXT    NOT NULL,            -- where to write to the owner
    language         TEXT,                        -- chosen or detected language
    source           TEXT,                        -- deep-link source of the first /start
    started_at       TEXT    NOT NULL,
    last_seen_at     TEXT    NOT NULL,
    consent_at       TEXT,                        -- when the privacy notice was accepted
    consent_version  TEXT,                        -- which notice version was accepted
    consent_language TEXT,                        -- in which language it was shown
    cursor           TEXT,                        -- a question re-asked on purpose (back / edit)
    draft            TEXT,                        -- JSON: unconfirmed multi-select choices
    draft_for        TEXT,
    paused           INTEGER NOT NULL DEFAULT 0,  -- /batal: stop asking until /lanjut
    finished_at      TEXT,
    eligible         INTEGER,
    readiness        INTEGER,
    result           TEXT,                        -- JSON: unmet criteria and readiness parts
    blocked_at       TEXT,                        -- the owner blocked the bot
    UNIQUE (channel, external_id)
);

CREATE TABLE answers (
    owner_id     INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    question_id  TEXT    NOT NULL,
    value        TEXT    NOT NULL,                -- JSON
    answered_at  TEXT    NOT NULL,
    PRIMARY KEY (owner_id, question_id)
) WITHOUT ROWID;

CREATE INDEX owners_finished ON owners (finished_at);
