-- Privacy: requests can be anonymised (personal data gone, anonymous facts kept), and
-- anonymous counters survive the purges (statistics for PAT staff).

ALTER TABLE requests ADD COLUMN anonymised_at TEXT;

CREATE TABLE counters (
    day   TEXT NOT NULL,      -- YYYY-MM-DD (UTC)
    kind  TEXT NOT NULL,      -- conversation, request, region, language, faq, reached, stopped,
                              -- source, crisis
    key   TEXT NOT NULL,      -- e.g. an offer id, a step id, a deep-link source; '' if none
    count INTEGER NOT NULL,
    PRIMARY KEY (day, kind, key)
);
