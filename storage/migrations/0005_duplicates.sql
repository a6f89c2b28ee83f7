-- A hash of who asked what, to recognise the same request sent twice (cleared on anonymising).
ALTER TABLE requests ADD COLUMN fingerprint TEXT;
CREATE INDEX requests_fingerprint ON requests (fingerprint);
CREATE INDEX requests_chat ON requests (chat_key, created_at);
