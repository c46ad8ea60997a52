-- shegong on a shared PostgreSQL server, migration 4: what the program's backend needs beyond
-- the tables of migration 1 (src/pg/backend.rs).
--
-- - `schema_version`: the versions applied. `shegong --db URL init` (src/pg/migrate.rs) makes it
--   with migration 1 and records each migration in the migration's own transaction; this
--   migration makes it too when migrations were applied by hand (psql), and from here on each
--   migration records itself, so both ways agree.
-- - The journal keeps which entry an undo took back (`undoes`), and a restore's note (kind
--   `store`). A restore (the owner only) keeps each restored entry's own time and login
--   (`restored`); for anyone else the trigger stamps them as before.
-- - Each record carries the token of the bulk import that added it (`batch`: the adding
--   transaction's id), so that `undo` takes one import back whole.

SET LOCAL search_path = pg_catalog, shegong;

CREATE TABLE IF NOT EXISTS shegong.schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shegong.schema_version (version) VALUES (1), (2), (3), (4) ON CONFLICT DO NOTHING;
GRANT SELECT ON shegong.schema_version TO shegong_district, shegong_clerk, shegong_auditor;
-- Under forced row-level security like every table: anyone reads the version (a login the
-- database does not know yet is told it is too new or too old, not that it is empty); only the
-- owner, migrating, writes it.
ALTER TABLE shegong.schema_version ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegong.schema_version FORCE ROW LEVEL SECURITY;
CREATE POLICY read ON shegong.schema_version FOR SELECT USING (true);
CREATE POLICY owner_write ON shegong.schema_version FOR ALL
  USING ((SELECT shegong.is_owner(current_user))) WITH CHECK ((SELECT shegong.is_owner(current_user)));

ALTER TABLE shegong.journal ADD COLUMN undoes bigint;
ALTER TABLE shegong.journal ADD COLUMN restored boolean NOT NULL DEFAULT false;
ALTER TABLE shegong.journal DROP CONSTRAINT journal_kind_check;
ALTER TABLE shegong.journal ADD CONSTRAINT journal_kind_check
  CHECK (kind IN ('unit', 'evaluation', 'training', 'budget', 'import', 'undo', 'store'));

CREATE OR REPLACE FUNCTION shegong.journal_stamp() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  NEW.id := nextval('shegong.journal_id_seq');
  IF NOT (NEW.restored AND is_owner(current_user)) THEN
    NEW.at := now();
    NEW.login := current_user;
    NEW.restored := false;
  END IF;
  RETURN NEW;
END
$$;

ALTER TABLE shegong.evaluations ADD COLUMN batch bigint;
ALTER TABLE shegong.trainings ADD COLUMN batch bigint;
ALTER TABLE shegong.budget ADD COLUMN batch bigint;
-- BRIN, not btree: tokens grow with the rows' insertion (one import's rows lie together), so a
-- block range index finds them while costing an import almost nothing per row; undo is rare.
CREATE INDEX evaluations_batch ON shegong.evaluations USING brin (batch);
CREATE INDEX trainings_batch ON shegong.trainings USING brin (batch);
CREATE INDEX budget_batch ON shegong.budget USING brin (batch);
