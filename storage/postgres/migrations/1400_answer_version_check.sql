-- Issue 14 (1400): an answer write names the version of the current answer its writer
-- saw. Called in SaveAnswer's batch under the per-question advisory lock: when another
-- version was saved since, the write fails with SQLSTATE KL409 (conversations.ErrConflict)
-- and nothing of it is kept, instead of silently replacing a colleague's answer.
CREATE FUNCTION expect_answer_version(p_region text, p_year int, p_code text, p_expected int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cur int;
BEGIN
    SELECT coalesce(max(version), 0) INTO cur FROM answers
    WHERE region_code = p_region AND year = p_year AND question_code = p_code;
    IF cur <> p_expected THEN
        RAISE EXCEPTION 'answer %/%/% is at version %, not %', p_region, p_year, p_code, cur, p_expected
            USING ERRCODE = 'KL409';
    END IF;
END
$$;

-- Files for an answer version, sent while it is current, must not land on it once a
-- colleague's newer version (which did not carry them) replaced it: under the same
-- per-question lock as SaveAnswer, a newer version fails the write with KL409.
CREATE FUNCTION expect_current_answer(p_id bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    a answers%ROWTYPE;
BEGIN
    SELECT * INTO a FROM answers WHERE id = p_id;
    IF NOT FOUND THEN
        RETURN; -- the evidence insert reports the missing answer
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(format('%s:%s:%s', a.region_code, a.year, a.question_code), 7240200));
    IF EXISTS (SELECT 1 FROM answers WHERE region_code = a.region_code AND year = a.year
               AND question_code = a.question_code AND version > a.version) THEN
        RAISE EXCEPTION 'answer % is no longer the current version of %', p_id, a.question_code
            USING ERRCODE = 'KL409';
    END IF;
END
$$;
