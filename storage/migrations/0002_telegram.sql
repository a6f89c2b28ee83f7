-- Telegram: update ids already processed (so a redelivered update is not applied twice) and
-- group chats already told that the bot works in private chats only.

CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);

CREATE TABLE group_chats (
    chat_id INTEGER PRIMARY KEY,
    told_at TEXT NOT NULL
);
