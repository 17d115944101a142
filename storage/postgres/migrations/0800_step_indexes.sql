-- Load (0800): what an engine step reads stays flat as the answers grow.
-- The current answers of a region are found in the version key alone (an index-only
-- scan: id and person_id ride along), instead of one heap page per stored version —
-- late in a year, a region holds thousands of versions spread over as many pages.
ALTER TABLE answers
    DROP CONSTRAINT answers_region_code_year_question_code_version_key,
    ADD CONSTRAINT answers_region_code_year_question_code_version_key
        UNIQUE (region_code, year, question_code, version) INCLUDE (id, person_id);
-- An OPD's people (ReopenedQuestions: questions its people answered).
CREATE INDEX people_opd ON people (opd_id);
