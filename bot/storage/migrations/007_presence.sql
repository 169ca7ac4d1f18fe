-- Who actually came to a session, as staff mark it on the day: 1 present, 0 absent, NULL not
-- marked. Kept apart from `attendance` (the owner's own answer: confirmed or declined), so the
-- funnel still counts those who confirmed and did not come.
ALTER TABLE registrations ADD COLUMN present INTEGER CHECK (present IN (0, 1));
