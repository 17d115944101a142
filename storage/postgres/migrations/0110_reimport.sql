-- Safe re-imports and year-to-year carry (foundation/import range 0100).

-- An option renamed by a re-import (same position, same fraction): the answer versions
-- that chose it get the new label; the old one is kept here, so nothing is lost.
CREATE TABLE answer_relabels (
    answer_id          bigint NOT NULL REFERENCES answers (id),
    year               int    NOT NULL,
    question_code      text   NOT NULL,
    old_text           text   NOT NULL,
    new_text           text   NOT NULL,
    instrument_version int    NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX answer_relabels_answer ON answer_relabels (answer_id);

-- A question of a year that is asked the same way as a question of an earlier year
-- (`klabot import --year 2027 --from 2026`): last year's answer and evidence are offered
-- as a suggestion. Rewritten by every import of the year that names --from.
CREATE TABLE question_origins (
    year      int  NOT NULL,
    code      text NOT NULL,
    from_year int  NOT NULL,
    from_code text NOT NULL,
    PRIMARY KEY (year, code),
    FOREIGN KEY (year, code) REFERENCES questions (year, code),
    FOREIGN KEY (from_year, from_code) REFERENCES questions (year, code)
);
