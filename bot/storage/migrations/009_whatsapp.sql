-- WhatsApp (Meta's Cloud API): what webhooks brought, before and after it is handled.
-- A webhook is answered 200 only once its messages are here; each is then handled from this
-- table, one owner's in order. A Meta retry of the same message id finds its row and changes
-- nothing. Rows not handled when the process stopped are handled at the next start-up.
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL,               -- "whatsapp"
    message_id   TEXT    NOT NULL,               -- the messenger's id ("wamid.…")
    owner_key    TEXT    NOT NULL,               -- the sender's id on the channel (user_id)
    payload      TEXT,                           -- the update of this one message; NULL once
                                                 --   handled (it holds what the owner wrote)
    received_at  TEXT    NOT NULL,
    handled_at   TEXT,
    UNIQUE (channel, message_id)
);
CREATE INDEX inbox_unhandled ON inbox (channel, id) WHERE handled_at IS NULL;

-- Status webhooks of the messages the bot sent (sent, delivered, read, failed), kept for the
-- outbound work (templates, the 24-hour window, delivery reports). One row per message and
-- status; no phone numbers: the recipient is the business-scoped user id.
CREATE TABLE message_statuses (
    channel      TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    at           TEXT    NOT NULL,               -- when the messenger says it happened
    recipient    TEXT,
    errors       TEXT,                           -- JSON: [{code, title, message, details}]
    received_at  TEXT    NOT NULL,
    PRIMARY KEY (channel, message_id, status)
) WITHOUT ROWID;

-- Choices beyond one list message (more than 10): the later pages, reached by a "more" row.
-- Kept, like every button, for as long as the owner may press it.
CREATE TABLE choice_pages (
    token        TEXT    PRIMARY KEY,
    body         TEXT    NOT NULL,
    buttons      TEXT    NOT NULL,               -- JSON: [[label, data, description], …]
    created_at   TEXT    NOT NULL
);

-- The owner's public address on their channel (WhatsApp: wa_id, the phone number), kept beside
-- the business-scoped id the owner is known by; erased with the owner.
ALTER TABLE owners ADD COLUMN address TEXT;
