-- Who holds a lease (bot/outbox.py: "host/pid/token"), so that a lease left by a process that
-- died mid-send can be taken back at once instead of blocking the request until it expires.
ALTER TABLE requests ADD COLUMN lease_owner TEXT;
