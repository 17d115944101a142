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

-- bump_progress bumps, by exactly one, the stamp of every OPD of p_region answering
-- p_question in p_year, and of p_person's OPD (the writer's copy counts its own writes).
-- Rows are locked in id order, so two writers never wait for each other in a cycle.
CREATE FUNCTION bump_progress(p_region text, p_year int, p_question text, p_person bigint)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO progress_stamps AS s (opd_id, year, stamp)
    SELECT o.id, p_year, 1 FROM opds o
    WHERE o.region_code = p_region AND (
        EXISTS (SELECT 1 FROM questions q WHERE q.year = p_year AND q.code = p_question
                AND q.opd_codes && (o.answers_for || o.code))
        OR o.id = (SELECT opd_id FROM people WHERE id = p_person))
    ORDER BY o.id
    ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1
$$;

-- bump_progress_answer bumps like bump_progress for the question of answer version p_id.
CREATE FUNCTION bump_progress_answer(p_id bigint, p_person bigint)
RETURNS void LANGUAGE sql AS $$
    SELECT bump_progress(a.region_code, a.year, a.question_code, p_person) FROM answers a WHERE a.id = p_id
$$;

-- bump_progress_year bumps every OPD's stamp of p_year (an instrument imported again).
CREATE FUNCTION bump_progress_year(p_year int)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO progress_stamps AS s (opd_id, year, stamp)
    SELECT o.id, p_year, 1 FROM opds o ORDER BY o.id
    ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1
$$;

-- bump_progress_region bumps every stamp of p_region's OPDs, for every year with an
-- instrument (a person renamed or moved, an OPD's questions changed).
CREATE FUNCTION bump_progress_region(p_region text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO progress_stamps AS s (opd_id, year, stamp)
    SELECT o.id, y.year, 1 FROM opds o, (SELECT DISTINCT year FROM questions) y
    WHERE o.region_code = p_region ORDER BY o.id, y.year
    ON CONFLICT (opd_id, year) DO UPDATE SET stamp = s.stamp + 1
$$;
