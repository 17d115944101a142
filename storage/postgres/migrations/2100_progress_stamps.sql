-- Issue 18 (2100): the engine keeps a focal point's progress (answers, skips, sent-back
-- questions, evidence counts) in the Redis dialogue state instead of reading it on every
-- step. progress_stamps says when that copy is out of date: every change to the progress
-- the people of an OPD see bumps the OPD's stamp for the year in the same transaction (an
-- answer or its evidence on a question the OPD answers, a review decision, a re-import,
-- a roster change). A step compares the stamp with the one its copy was built at; the
-- copy is rebuilt from the tables when they differ. A missing row is stamp 0.
CREATE TABLE progress_stamps (
    opd_id bigint NOT NULL REFERENCES opds (id) ON DELETE CASCADE,
    year   int    NOT NULL,
    stamp  bigint NOT NULL,
    PRIMARY KEY (opd_id, year)
);

-- The bumps are statements of storage/postgres (progress.go), sent in the writes' own
-- batches and transactions.
