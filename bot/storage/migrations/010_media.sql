-- Files staff upload on the web page (a photo or a document for an announcement): stored once,
-- here, with the bytes. Each channel uploads a file once and keeps its own id for it in
-- media_refs (a Telegram file_id, a WhatsApp media id), sending it by that id to everyone else;
-- one channel's id never goes to another channel.
CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,                -- the file's name as uploaded (cleaned)
    kind        TEXT    NOT NULL CHECK (kind IN ('photo', 'document')),
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    content     BLOB    NOT NULL,
    created_at  TEXT    NOT NULL
);

CREATE TABLE media_refs (
    media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    ref         TEXT    NOT NULL,                -- the channel's id of the uploaded file
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (media_id, channel)
) WITHOUT ROWID;

-- An announcement's uploaded file; and the key of the web page's form it came from, so a form
-- sent twice (a double click, a reload) makes one announcement, not two.
ALTER TABLE broadcasts ADD COLUMN media_id INTEGER REFERENCES media(id);
ALTER TABLE broadcasts ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX broadcasts_form_key ON broadcasts (form_key) WHERE form_key IS NOT NULL;
