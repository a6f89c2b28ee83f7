-- The weekly digest to PAT staff (bot/digest.py): one row per ISO week, so that it is made and
-- sent once however many processes run. Anonymous counts only; the outbox worker delivers it
-- with the same lease and retries as a request.
CREATE TABLE digests (
    week TEXT PRIMARY KEY,      -- 2026-W49
    created_at TEXT NOT NULL,
    message BLOB NOT NULL,      -- the composed e-mail
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    lease_until TEXT,
    lease_owner TEXT
);
