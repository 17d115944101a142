-- Issue 18 (2200): river_job's two GIN indexes, on args and on metadata, serve only River's
-- JobList filters by args or metadata containment, which klabot never runs (its delivery log
-- is outbound_deliveries); no query of River's driver on the hot path uses them
-- (pg_stat_user_indexes: never scanned under load). Every job writes to them three times in
-- its life (insert, the attempt's metadata, completion), which measured 0.149 ms of Postgres
-- execution per job with them against 0.041 ms without. bot/outbound leaves them out of River's
-- reindexer list. A River migration that someday touches them would have to be checked
-- against this one.
DROP INDEX IF EXISTS river_job_args_index;
DROP INDEX IF EXISTS river_job_metadata_index;
