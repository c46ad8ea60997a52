-- shegong on a shared PostgreSQL server, migration 5: a faster bulk import (docs/SERVER.md,
-- "Measured: bulk import of budget rows"), without changing what is stored.
--
-- - `day_of` made inlinable. As migration 1 wrote it (STRICT, with a CASE body that is not
--   itself strict, and its own SET search_path) PostgreSQL cannot inline it, so every generated
--   `day` ran a SQL function call of its own: about 1.8 s per 100,000 rows. Written with a
--   standard SQL body (`RETURN …`, parsed and bound when the function is made, so no caller's
--   search_path can redirect a name) and without STRICT (for NULL it gives NULL all the same:
--   `make_date` is strict), it is inlined into the generated columns, with the same values.
--   Stored values are not recomputed, and need not be.
-- - `id` unique per kind only where given: a partial unique index (`WHERE id IS NOT NULL`)
--   instead of `UNIQUE (id)`, which put every row without an id (most imported rows) into a
--   btree of NULLs. What must be unique stays unique: a given id per kind, and the content
--   hash with its occurrence (what makes a re-import add nothing).

SET LOCAL search_path = pg_catalog, shegong;

CREATE OR REPLACE FUNCTION shegong.day_of(d text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE pg_catalog.length(d)
    WHEN 4 THEN pg_catalog.make_date(pg_catalog.substr(d, 1, 4)::int, 12, 31)
    WHEN 7 THEN (pg_catalog.make_date(pg_catalog.substr(d, 1, 4)::int, pg_catalog.substr(d, 6, 2)::int, 1)
                 + interval '1 month' - interval '1 day')::date
    ELSE pg_catalog.make_date(pg_catalog.substr(d, 1, 4)::int, pg_catalog.substr(d, 6, 2)::int,
                              pg_catalog.substr(d, 9, 2)::int)
  END;

CREATE UNIQUE INDEX evaluations_id ON shegong.evaluations (id) WHERE id IS NOT NULL;
ALTER TABLE shegong.evaluations DROP CONSTRAINT evaluations_id_key;
CREATE UNIQUE INDEX trainings_id ON shegong.trainings (id) WHERE id IS NOT NULL;
ALTER TABLE shegong.trainings DROP CONSTRAINT trainings_id_key;
CREATE UNIQUE INDEX budget_id ON shegong.budget (id) WHERE id IS NOT NULL;
ALTER TABLE shegong.budget DROP CONSTRAINT budget_id_key;

INSERT INTO shegong.schema_version (version) VALUES (5) ON CONFLICT DO NOTHING;
