-- Failed sign-ins are counted per account and client address together (and per address across
-- accounts), no longer per account alone: the pair index serves the first count and clearing a
-- pair after a good sign-in, the time index the pruning of old failures.
DROP INDEX login_failures_email_idx;
CREATE INDEX login_failures_pair_idx ON login_failures (lower(email), ip, at);
CREATE INDEX login_failures_at_idx ON login_failures (at);
