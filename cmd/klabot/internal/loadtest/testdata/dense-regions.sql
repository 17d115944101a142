-- Makes 50 regions of a load test database look like the end of an evaluation year
-- (every question answered three times, two thirds of the versions reviewed, some sent
-- back), COMMITTED, for explain-step.sql. Only on a throwaway database:
--   psql "$DATABASE_URL" -v region=LT002 -f dense-regions.sql
-- The regions' rows are written in random order, so that a region's versions lie on
-- different heap pages, as they do when they arrive over months.
\set ON_ERROR_STOP on
\if :{?region} \else \set region LT002 \endif
\if :{?year} \else \set year 2090 \endif
BEGIN;
SET LOCAL session_replication_role = replica;
WITH fp AS (SELECT o.region_code, o.code, min(p.id) AS person FROM opds o JOIN people p ON p.opd_id = o.id
		WHERE o.region_code >= :'region' GROUP BY o.region_code, o.code),
	r AS (SELECT code FROM regions WHERE code ~ '^[A-Z]+[0-9]+$' AND code >= :'region' ORDER BY code LIMIT 50),
	v AS (INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, message_id, created_at)
		SELECT r.code, :year, q.code, 1000 + k, 'ya', fp.person, 'dense', 'dense-' || r.code || q.code || '-' || k,
			now() - (4 - k) * interval '1 day'
		FROM r CROSS JOIN questions q JOIN fp ON fp.region_code = r.code AND fp.code = q.opd_codes[1]
		CROSS JOIN generate_series(1, 3) k
		WHERE q.year = :year AND NOT q.retired ORDER BY k, random() RETURNING id, region_code, person_id, created_at)
INSERT INTO reviews (answer_id, state, note, reviewer_id, created_at)
SELECT v.id, CASE WHEN v.id % 10 = 0 THEN 'needs_revision' WHEN v.id % 30 = 1 THEN 'rejected' ELSE 'approved' END, 'cek',
	c.id, v.created_at + interval '1 hour'
FROM v JOIN people c ON c.region_code = v.region_code AND c.role = 'coordinator' WHERE v.id % 3 <> 2;
COMMIT;
VACUUM ANALYZE answers, reviews;
