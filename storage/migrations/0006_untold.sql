-- Requests whose person has not been told the outcome yet: the delivery worker looks for them
-- after every round. Without this index each look read every delivered request ever kept.
CREATE INDEX requests_untold ON requests (created_at, ref)
    WHERE status IN ('delivered', 'failed') AND person_told IS NOT status;
