-- Delivery by a background worker: when to try next, a lease so that two processes never send
-- the same request at once, and what the person has been told about their request.

ALTER TABLE requests ADD COLUMN next_attempt_at TEXT;
ALTER TABLE requests ADD COLUMN lease_until TEXT;
ALTER TABLE requests ADD COLUMN person_told TEXT;  -- NULL, 'delivered' or 'failed'
CREATE INDEX requests_due ON requests (status, next_attempt_at);
