-- The e-mail of a request is composed from its stored payload when it is sent (bot/outbox.py),
-- off the path of the person's answer; the composed copy is no longer stored.
ALTER TABLE requests DROP COLUMN message;
