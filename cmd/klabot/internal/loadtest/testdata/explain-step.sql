-- EXPLAIN (ANALYZE, BUFFERS) of every statement an engine step sends, on a load test
-- database (klabot loadtest [--preload N]), with custom and with generic plans:
--   psql "$DATABASE_URL" -v mode=force_custom_plan -f explain-step.sql
--   psql "$DATABASE_URL" -v mode=force_generic_plan -f explain-step.sql
-- Writes roll back. Parameters: the first focal point of region LT001 in year 2090
-- (override with -v region=... -v year=...).
\set ON_ERROR_STOP on
\if :{?region} \else \set region LT001 \endif
\if :{?year} \else \set year 2090 \endif
\if :{?mode} \else \set mode force_generic_plan \endif
\if :{?dense} \else \set dense 0 \endif
SET plan_cache_mode = :mode;
-- With -v dense=1 the region first gets a full year (every question answered three
-- times, two thirds reviewed, some sent back) inside a transaction rolled back at the end.
BEGIN;
SELECT :dense = 1 AS dense \gset
\if :dense
SET LOCAL session_replication_role = replica;
WITH fp AS (SELECT o.code, min(p.id) AS person FROM opds o JOIN people p ON p.opd_id = o.id
		WHERE o.region_code = :'region' GROUP BY o.code),
	v AS (INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, message_id, created_at)
		SELECT :'region', :year, q.code, 1000 + k, 'ya', fp.person, 'dense', 'dense-' || q.code || '-' || k, now() - (4 - k) * interval '1 day'
		FROM questions q JOIN fp ON fp.code = q.opd_codes[1], generate_series(1, 3) k
		WHERE q.year = :year AND NOT q.retired RETURNING id, person_id, created_at)
INSERT INTO reviews (answer_id, state, note, reviewer_id, created_at)
SELECT id, CASE WHEN id % 10 = 0 THEN 'needs_revision' WHEN id % 30 = 1 THEN 'rejected' ELSE 'approved' END, 'cek',
	(SELECT id FROM people WHERE region_code = :'region' AND role = 'coordinator' LIMIT 1), created_at + interval '1 hour'
FROM v WHERE id % 3 <> 2;
ANALYZE answers, reviews;
\endif
SELECT p.id AS person, p.opd_id AS opd,
       (SELECT array_agg(q.code ORDER BY q.position)::text FROM questions q, opds o
         WHERE o.id = p.opd_id AND q.year = :year AND NOT q.retired AND q.opd_codes && (o.answers_for || o.code)) AS codes
FROM people p WHERE p.region_code = :'region' AND p.role = 'focal_point' ORDER BY p.id LIMIT 1 \gset
SELECT (:'codes'::text[])[1] AS q \gset
SELECT :'region' AS region, :year AS year, :person AS person, :opd AS opd, :'q' AS question,
       (SELECT count(*) FROM answers WHERE region_code = :'region' AND year = :year) AS region_versions,
       (SELECT count(*) FROM answers) AS all_versions, current_setting('plan_cache_mode') AS plan_cache_mode;

-- Executed six times each so that the plan cache switches to the generic plan when the
-- mode is auto; the last EXPLAIN shows the plan in use.
PREPARE reopened(text, int, bigint) AS
SELECT a.question_code, st.state, st.note, st.reviewer
FROM current_answers a
JOIN questions q ON q.year = a.year AND q.code = a.question_code AND NOT q.retired
JOIN people w ON w.id = a.person_id
JOIN LATERAL (SELECT r.state, r.note, p.name AS reviewer, r.created_at FROM reviews r
    JOIN people p ON p.id = r.reviewer_id WHERE r.answer_id = a.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) st ON true
WHERE a.region_code = $1 AND a.year = $2 AND st.state IN ('needs_revision', 'rejected')
  AND (w.opd_id = $3 OR q.opd_codes && (SELECT answers_for || code FROM opds WHERE id = $3))
ORDER BY st.created_at DESC, q.position;

PREPARE progress(text, int, text[]) AS
SELECT a.question_code, a.id, a.version, a.value_text, coalesce(a.value_number, 0),
	a.narrative, a.person_id, p.name, a.created_at,
	(SELECT count(*) FROM evidence e WHERE e.answer_id = a.id)
FROM current_answers a JOIN people p ON p.id = a.person_id
WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = ANY($3);

PREPARE skips(text, int, bigint, text[]) AS
SELECT question_code FROM skips WHERE region_code = $1 AND year = $2 AND person_id = $3 AND question_code = ANY($4);

PREPARE next_version(text, int, text) AS
SELECT coalesce(max(version), 0) + 1 FROM answers WHERE region_code = $1 AND year = $2 AND question_code = $3;

PREPARE carry(text, int, text, bigint) AS
SELECT blob_key, mime_type, size_bytes, original_name, person_id, channel, message_id, created_at
FROM evidence WHERE answer_id = (
	SELECT id FROM answers WHERE region_code = $1 AND year = $2 AND question_code = $3
		AND id <> $4 ORDER BY version DESC LIMIT 1)
ORDER BY id;

PREPARE evidence_count(bigint) AS SELECT count(*) FROM evidence WHERE answer_id = $1;

\o /dev/null
EXECUTE reopened(:'region', :year, :opd); EXECUTE reopened(:'region', :year, :opd); EXECUTE reopened(:'region', :year, :opd);
EXECUTE reopened(:'region', :year, :opd); EXECUTE reopened(:'region', :year, :opd); EXECUTE reopened(:'region', :year, :opd);
EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes');
EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes');
EXECUTE skips(:'region', :year, :person, :'codes'); EXECUTE skips(:'region', :year, :person, :'codes'); EXECUTE skips(:'region', :year, :person, :'codes');
EXECUTE skips(:'region', :year, :person, :'codes'); EXECUTE skips(:'region', :year, :person, :'codes'); EXECUTE skips(:'region', :year, :person, :'codes');
EXECUTE next_version(:'region', :year, :'q'); EXECUTE next_version(:'region', :year, :'q'); EXECUTE next_version(:'region', :year, :'q');
EXECUTE next_version(:'region', :year, :'q'); EXECUTE next_version(:'region', :year, :'q'); EXECUTE next_version(:'region', :year, :'q');
EXECUTE carry(:'region', :year, :'q', 0); EXECUTE carry(:'region', :year, :'q', 0); EXECUTE carry(:'region', :year, :'q', 0);
EXECUTE carry(:'region', :year, :'q', 0); EXECUTE carry(:'region', :year, :'q', 0); EXECUTE carry(:'region', :year, :'q', 0);
EXECUTE evidence_count(1); EXECUTE evidence_count(1); EXECUTE evidence_count(1);
EXECUTE evidence_count(1); EXECUTE evidence_count(1); EXECUTE evidence_count(1);
\o

\echo === ReopenedQuestions
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE reopened(:'region', :year, :opd);
\echo === Progress: current answers
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE progress(:'region', :year, :'codes');
\echo === Progress: skips
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE skips(:'region', :year, :person, :'codes');
\echo === SaveAnswer: next version
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE next_version(:'region', :year, :'q');
\echo === SaveAnswer: evidence carry (previous version)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE carry(:'region', :year, :'q', 0);
\echo === SaveAnswer: evidence count
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE evidence_count(1);

\echo === writes (rolled back): inbound record, answer version, checkpoint, narrative
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
INSERT INTO inbound_messages (channel, message_id, chat_id, received_at) VALUES ('telegram', 'explain-1', '1', now());
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, message_id, created_at)
SELECT :'region', :year, :'q', coalesce(max(version), 0) + 1, 'ya', NULL, :person, 'telegram', 'explain-1', now()
FROM answers WHERE region_code = :'region' AND year = :year AND question_code = :'q' RETURNING id, version;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
INSERT INTO dialogue_checkpoints (person_id, state, updated_at) VALUES (:person, '{}', now())
	ON CONFLICT (person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF)
UPDATE answers SET narrative = 'x' WHERE id = (SELECT max(id) FROM answers);
ROLLBACK;
