-- What reminders need beyond 004: when an owner got their seat (a registrant gets only the
-- reminders due after that), and when a session got its current start time (reminders due
-- before a move are not sent: the notice of the move replaces them).
ALTER TABLE registrations ADD COLUMN seated_at TEXT;      -- NULL while waiting or cancelled
ALTER TABLE sessions ADD COLUMN start_set_at TEXT;        -- NULL: since created_at

CREATE INDEX sessions_status ON sessions (status, starts_at);
CREATE INDEX interest_owner ON interest (owner_id);
