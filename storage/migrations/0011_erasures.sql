-- Erasures not finished yet (storage/erasure.py, bot/delivery/outbox.py). A row is written in
-- the same transaction as the erasure itself and deleted only once the copies outside the
-- table (the .eml folder, the write-ahead log) are gone, so a crash at any point of /forget
-- or retention is finished at the next start. No personal data: references only.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL DEFAULT '',   -- a request whose local copy goes ('' : only the log)
    since TEXT NOT NULL,
    sender TEXT,                    -- the lease owner that was sending it at the erasure
    sender_until TEXT,              -- ... and the end of its lease
    notify INTEGER NOT NULL DEFAULT 0  -- it may have reached PAT: ask them to delete it
);
