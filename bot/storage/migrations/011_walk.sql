-- The owner went back in the questionnaire and walks forward again: after each answer the next
-- question is shown with its current answer to keep, instead of a jump to the first unanswered
-- one (see bot/engine.py, Form.walk). 0 for every owner today.
ALTER TABLE owners ADD COLUMN walk INTEGER NOT NULL DEFAULT 0 CHECK (walk IN (0, 1));
