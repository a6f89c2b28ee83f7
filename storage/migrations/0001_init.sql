-- Conversations, requests (with their composed e-mail) and consent records.

CREATE TABLE conversations (
    chat_key   TEXT PRIMARY KEY,          -- "tg:<user id>" or "terminal"
    state      TEXT NOT NULL,             -- flows.engine.State as JSON
    updated_at TEXT NOT NULL
);

CREATE TABLE requests (
    ref          TEXT PRIMARY KEY,        -- shown to the person, e.g. R-261122-7KQ3
    chat_key     TEXT NOT NULL,
    offer        TEXT NOT NULL,
    locale       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    delivered_at TEXT,
    payload      TEXT NOT NULL,           -- storage.models.RequestPayload as JSON
    message      BLOB NOT NULL            -- the composed e-mail, RFC 5322 bytes
);
CREATE INDEX requests_status ON requests (status, created_at);

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    chat_key       TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    given_at       TEXT NOT NULL
);
CREATE INDEX consents_chat ON consents (chat_key);
