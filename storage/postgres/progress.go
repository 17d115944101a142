package postgres

// The progress stamps (migrations/2100_progress_stamps.sql): every change to what an
// OPD's people see of their progress bumps the OPD's stamp in its own transaction, by
// exactly one per statement. Rows are locked in id order, so two writers never wait for
// each other in a cycle. Plain statements rather than SQL functions: pgx prepares them
// once per connection, where a SQL function is planned again on every call (it was the
// most expensive statement of a step at 1 ms and 106 buffers per call).

// bumpProgressSQL bumps the stamp of every OPD of region $1 answering question $3 of year
// $2, and of person $4's OPD (the writer's copy counts its own writes).
const bumpProgressSQL = `INSERT INTO progress_stamps AS s (opd_id, year, stamp)
	SELECT o.id, $2::int, 1 FROM opds o
	WHERE o.region_code = $1::text AND (
		(o.answers_for || o.code) && (SELECT q.opd_codes FROM questions q WHERE q.year = $2::int AND q.code = $3::text)
		OR o.id = (SELECT opd_id FROM people WHERE id = $4::bigint))
	ORDER BY o.id
	ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1`

// bumpProgressAnswerSQL bumps like bumpProgressSQL for the question of answer version $1
// and person $2.
const bumpProgressAnswerSQL = `INSERT INTO progress_stamps AS s (opd_id, year, stamp)
	SELECT o.id, a.year, 1 FROM answers a JOIN opds o ON o.region_code = a.region_code
	WHERE a.id = $1::bigint AND (
		(o.answers_for || o.code) && (SELECT q.opd_codes FROM questions q WHERE q.year = a.year AND q.code = a.question_code)
		OR o.id = (SELECT opd_id FROM people WHERE id = $2::bigint))
	ORDER BY o.id
	ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1`

// bumpProgressYearSQL bumps every OPD's stamp of year $1 (an instrument imported again).
const bumpProgressYearSQL = `INSERT INTO progress_stamps AS s (opd_id, year, stamp)
	SELECT o.id, $1::int, 1 FROM opds o ORDER BY o.id
	ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1`

// bumpProgressRegionSQL bumps every stamp of region $1's OPDs, for every year with an
// instrument (a person renamed or moved, an OPD's questions changed).
const bumpProgressRegionSQL = `INSERT INTO progress_stamps AS s (opd_id, year, stamp)
	SELECT o.id, y.year, 1 FROM opds o, (SELECT DISTINCT year FROM questions) y
	WHERE o.region_code = $1::text ORDER BY o.id, y.year
	ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1`
