-- WhatsApp outbound: the 24-hour window, templates, the daily reach, delivery accounting.
--
-- Each outbox row remembers how it went out (`via`: the normal message, or its template outside
-- the window) and the messenger's id of what was sent (`message_id`), so that status webhooks
-- (sent, delivered, read, failed) find their row. A row waiting for something other than its
-- time says why in `waiting` ("no_template": outside the window with no template configured;
-- "daily_limit": the day's reach is used up). `forced_template`: a free-form message failed as
-- outside the window (131047) and is sent again as its template, once.
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN via TEXT CHECK (via IN ('text', 'template'));
ALTER TABLE outbox ADD COLUMN forced_template INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN waiting TEXT;
ALTER TABLE outbox ADD COLUMN delivery TEXT
    CHECK (delivery IN ('sent', 'delivered', 'read', 'failed'));
ALTER TABLE outbox ADD COLUMN failure TEXT;  -- why a delivery failed: window, unreachable, …

CREATE INDEX outbox_message ON outbox (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX outbox_waiting ON outbox (channel, chat_id) WHERE waiting IS NOT NULL;
-- Owners reached by a template in the last 24 hours: the daily reach used so far.
CREATE INDEX outbox_reach ON outbox (channel, sent_at) WHERE via = 'template';

-- A failed status's reason in the core's words (window, unreachable, marketing, rate, …): a
-- status may arrive before the sender has noted which row the message was, and is applied then.
ALTER TABLE message_statuses ADD COLUMN reason TEXT;

-- The owner's last messages, for the window: the newest inbox row of each owner.
CREATE INDEX inbox_owner ON inbox (channel, owner_key, received_at);

-- The owner stopped marketing messages in WhatsApp (Meta's error 131050): no announcements or
-- invitations until they write again. Unlike announcement_optouts (the owner asked the bot), a
-- new message from the owner clears it, as it clears blocked_at.
ALTER TABLE owners ADD COLUMN marketing_stopped_at TEXT;
