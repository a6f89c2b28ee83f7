-- Messages a webhook brought (WhatsApp): stored in the same transaction as nothing else,
-- before Meta is answered 200 (Meta never sends a message again after a 200), and deleted
-- once the bot has handled them (storage/inbox.py). Personal data for seconds: erased with
-- the rest of the person by /forget (storage/erasure.py), never logged.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order of arrival
    chat_key TEXT NOT NULL,                -- wa:+<number>
    message_id TEXT NOT NULL UNIQUE,       -- Meta's id: a message sent twice waits once
    sent_at INTEGER NOT NULL,              -- when the person sent it (the 24-hour window)
    kind TEXT NOT NULL,                    -- text, choice, other
    text TEXT NOT NULL DEFAULT '',
    tries INTEGER NOT NULL DEFAULT 0,      -- handlings begun: dropped after a few
    received_at TEXT NOT NULL
);
CREATE INDEX inbox_chat ON inbox (chat_key, id);
