-- EXPLAIN (ANALYZE, BUFFERS) of every statement an engine step sends, on a load test
-- database (klabot loadtest [--preload N]), with custom and with generic plans:
--   psql "$DATABASE_URL" -v mode=force_custom_plan -f explain-step.sql
--   psql "$DATABASE_URL" -v mode=force_generic_plan -f explain-step.sql
-- The statements are those of storage/postgres; "(before)" ones are the shapes of
-- commit dd99706, kept for comparison. Writes roll back. Parameters: the first focal point of region LT001 in year 2090
-- (override with -v region=... -v year=...).
\set ON_ERROR_STOP on
\if :{?region} \else \set region LT001 \endif
\if :{?year} \else \set year 2090 \endif
\if :{?mode} \else \set mode force_generic_plan \endif
SET plan_cache_mode = :mode;
BEGIN;
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
PREPARE reopened_before(text, int, bigint) AS
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

PREPARE progress_before(text, int, text[]) AS
SELECT a.question_code, a.id, a.version, a.value_text, coalesce(a.value_number, 0),
	a.narrative, a.person_id, p.name, a.created_at,
	(SELECT count(*) FROM evidence e WHERE e.answer_id = a.id)
FROM current_answers a JOIN people p ON p.id = a.person_id
WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = ANY($3);

PREPARE reopened(text, int, bigint) AS
WITH cur AS MATERIALIZED (
	SELECT DISTINCT ON (a.question_code) a.question_code, a.id, a.person_id
	FROM answers a WHERE a.region_code = $1 AND a.year = $2
	ORDER BY a.question_code, a.version DESC),
mine AS MATERIALIZED (
	SELECT cur.id, cur.question_code, q.position
	FROM cur JOIN questions q ON q.year = $2 AND q.code = cur.question_code AND NOT q.retired
	WHERE q.opd_codes && (SELECT answers_for || code FROM opds WHERE id = $3)
	   OR cur.person_id IN (SELECT id FROM people WHERE opd_id = $3))
SELECT m.question_code, st.state, st.note, p.name
FROM mine m
JOIN LATERAL (SELECT r.state, r.note, r.reviewer_id, r.created_at FROM reviews r
	WHERE r.answer_id = m.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) st ON true
JOIN people p ON p.id = st.reviewer_id
WHERE st.state IN ('needs_revision', 'rejected')
ORDER BY st.created_at DESC, m.position;

PREPARE progress(text, int, text[]) AS
SELECT c.code, a.id, a.version, a.value_text, coalesce(a.value_number, 0),
	a.narrative, a.person_id, p.name, a.created_at,
	(SELECT count(*) FROM evidence e WHERE e.answer_id = a.id)
FROM (SELECT DISTINCT unnest($3::text[])) AS c(code)
JOIN LATERAL (SELECT * FROM answers a WHERE a.region_code = $1 AND a.year = $2 AND a.question_code = c.code
	ORDER BY a.version DESC LIMIT 1) a ON true
JOIN people p ON p.id = a.person_id;

PREPARE skips(text, int, bigint, text[]) AS
SELECT question_code FROM skips WHERE region_code = $1 AND year = $2 AND person_id = $3 AND question_code = ANY($4);

PREPARE inbound(text, text, text) AS
INSERT INTO inbound_messages (channel, message_id, chat_id, received_at) VALUES ($1, $2, $3, now());

PREPARE insert_answer(text, int, text, text, float8, bigint, text, text) AS
INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, message_id, created_at)
SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7, $8, now()
FROM answers WHERE region_code = $1 AND year = $2 AND question_code = $3 RETURNING id, version;

PREPARE checkpoint(bigint, jsonb) AS
INSERT INTO dialogue_checkpoints (person_id, state, updated_at) VALUES ($1, $2, now())
	ON CONFLICT (person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at;

PREPARE narrative(bigint, text) AS UPDATE answers SET narrative = $2 WHERE id = $1;

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
EXECUTE reopened_before(:'region', :year, :opd); EXECUTE reopened_before(:'region', :year, :opd); EXECUTE reopened_before(:'region', :year, :opd);
EXECUTE reopened_before(:'region', :year, :opd); EXECUTE reopened_before(:'region', :year, :opd); EXECUTE reopened_before(:'region', :year, :opd);
EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes');
EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes'); EXECUTE progress(:'region', :year, :'codes');
EXECUTE progress_before(:'region', :year, :'codes'); EXECUTE progress_before(:'region', :year, :'codes'); EXECUTE progress_before(:'region', :year, :'codes');
EXECUTE progress_before(:'region', :year, :'codes'); EXECUTE progress_before(:'region', :year, :'codes'); EXECUTE progress_before(:'region', :year, :'codes');
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
\echo === ReopenedQuestions (before)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE reopened_before(:'region', :year, :opd);
\echo === Progress: current answers
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE progress(:'region', :year, :'codes');
\echo === Progress: current answers (before)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE progress_before(:'region', :year, :'codes');
\echo === Progress: skips
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE skips(:'region', :year, :person, :'codes');
\echo === SaveAnswer: next version
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE next_version(:'region', :year, :'q');
\echo === SaveAnswer: evidence carry (previous version)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE carry(:'region', :year, :'q', 0);
\echo === SaveAnswer: evidence count
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE evidence_count(1);

\o /dev/null
EXECUTE inbound('explain', 'w1', '1'); EXECUTE inbound('explain', 'w2', '1'); EXECUTE inbound('explain', 'w3', '1');
EXECUTE inbound('explain', 'w4', '1'); EXECUTE inbound('explain', 'w5', '1'); EXECUTE inbound('explain', 'w6', '1');
EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w1'); EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w2');
EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w3'); EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w4');
EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w5'); EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w6');
EXECUTE checkpoint(:person, '{}'); EXECUTE checkpoint(:person, '{}'); EXECUTE checkpoint(:person, '{}');
EXECUTE checkpoint(:person, '{}'); EXECUTE checkpoint(:person, '{}'); EXECUTE checkpoint(:person, '{}');
SELECT max(id) AS last FROM answers \gset
EXECUTE narrative(:last, 'x'); EXECUTE narrative(:last, 'x'); EXECUTE narrative(:last, 'x');
EXECUTE narrative(:last, 'x'); EXECUTE narrative(:last, 'x'); EXECUTE narrative(:last, 'x');
\o
\echo === write: inbound record
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE inbound('explain', 'w7', '1');
\echo === write: answer version (with max(version))
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE insert_answer(:'region', :year, :'q', 'ya', NULL, :person, 'explain', 'w7');
\echo === write: checkpoint upsert
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE checkpoint(:person, '{}');
\echo === write: narrative
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE narrative(:last, 'x');
ROLLBACK;
