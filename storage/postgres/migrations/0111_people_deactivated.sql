-- People leave (staff turnover): a deactivated person keeps their answers and history but
-- gets no chat access, digests or nudges (`klabot person deactivate`). Foundation range 0100.
ALTER TABLE people ADD COLUMN deactivated_at timestamptz;
