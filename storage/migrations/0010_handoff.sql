-- A person from PAT answering in the chat (bot/handoff.py). One row per request whose person
-- asked to be answered in the chat. Texts are not kept here: the relay table holds a message
-- only until it is delivered (seconds), then deletes it (secure_delete wipes the page).
CREATE TABLE handoffs (
    ref TEXT PRIMARY KEY,
    chat_key TEXT NOT NULL,
    locale TEXT NOT NULL,
    offered_at TEXT NOT NULL,       -- the card went to staff
    staff_key TEXT,                 -- who answers: tg:<id>, or staff:terminal
    staff_name TEXT,                -- the first name the person sees
    opened_at TEXT,
    last_at TEXT NOT NULL,          -- last message either way (expiry)
    introduced INTEGER NOT NULL DEFAULT 0, -- the person was told a person now answers
    reminded INTEGER NOT NULL DEFAULT 0,   -- ... and reminded once, when they first wrote
    closed_at TEXT,
    closed_by TEXT                  -- person, staff, expired
);
CREATE INDEX handoffs_open ON handoffs (chat_key) WHERE closed_at IS NULL;

CREATE TABLE relay (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order of delivery
    to_key TEXT NOT NULL,                  -- tg:<id>, tg-staff:<chat id>, terminal, staff:terminal
    ref TEXT NOT NULL,
    kind TEXT NOT NULL,                    -- to_person, to_staff, card, card_chat, notice
    text TEXT NOT NULL,
    from_key TEXT NOT NULL DEFAULT '',     -- told when it cannot be delivered
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
CREATE INDEX relay_to ON relay (to_key, id);
