-- shegong on a shared PostgreSQL server, migration 6: a record's unit checked once per
-- statement instead of once per row (docs/SERVER.md, "Measured: migration 6").
--
-- Migration 1 declared `unit` (`host` for trainings) a foreign key to `units`. PostgreSQL checks
-- a foreign key with a trigger per inserted row (a query and a row lock each): about a fifth of
-- a bulk import's `INSERT … SELECT`. Here the foreign keys give way to the same two guarantees,
-- kept by triggers that work on whole statements:
--
-- - A record's unit exists: after each statement that adds or changes records, the units it
--   names are locked `FOR KEY SHARE` (as the foreign key's own check locks them, so that a
--   concurrent deletion of one waits for this transaction, and under REPEATABLE READ fails
--   rather than slipping past), then any named unit that is not there refuses the statement
--   (`foreign_key_violation`, naming the unit). One join over the statement's rows.
-- - A unit with records is not deleted, nor its code changed (the program never changes a
--   code; the foreign keys cascaded it): a trigger on `units` refuses it. It runs after the
--   row lock is taken, so it waits for an import holding the unit and then sees its rows, which
--   in READ COMMITTED each query does; a deletion in another isolation level is refused,
--   since its snapshot could miss a record added since.
--
-- `check` (`pg/totals.rs`) also looks for a record whose unit does not exist.
--
-- The functions are SECURITY DEFINER (the owner's), so that they see every unit and record
-- whatever the writer's policies let it read, with a fixed search_path (pg_temp last).

SET LOCAL search_path = pg_catalog, shegong;

CREATE FUNCTION shegong.records_need_units() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  col text := TG_ARGV[0];
  missing text;
BEGIN
  EXECUTE format('SELECT count(*) FROM (SELECT FROM units u WHERE u.code IN (SELECT %I FROM new_rows) '
                 'FOR KEY SHARE OF u) locked', col);
  EXECUTE format('SELECT n.%1$I FROM new_rows n WHERE NOT EXISTS (SELECT FROM units u WHERE u.code = n.%1$I) '
                 'LIMIT 1', col) INTO missing;
  IF missing IS NOT NULL THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('%s: unit %s does not exist', TG_TABLE_NAME, missing);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION shegong.units_keep_records() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.code = OLD.code THEN
    RETURN NEW;
  END IF;
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE object_not_in_prerequisite_state USING
      MESSAGE = format('unit %s: units are deleted or renamed in READ COMMITTED transactions only', OLD.code);
  END IF;
  IF EXISTS (SELECT FROM evaluations WHERE unit = OLD.code)
     OR EXISTS (SELECT FROM trainings WHERE host = OLD.code)
     OR EXISTS (SELECT FROM budget WHERE unit = OLD.code) THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('unit %s still has records', OLD.code);
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

REVOKE ALL ON FUNCTION shegong.records_need_units(), shegong.units_keep_records() FROM PUBLIC;

CREATE TRIGGER units_keep_records BEFORE DELETE OR UPDATE OF code ON shegong.units
  FOR EACH ROW EXECUTE FUNCTION shegong.units_keep_records();

ALTER TABLE shegong.evaluations DROP CONSTRAINT evaluations_unit_fkey;
ALTER TABLE shegong.trainings DROP CONSTRAINT trainings_host_fkey;
ALTER TABLE shegong.budget DROP CONSTRAINT budget_unit_fkey;

-- One trigger per event (a trigger with transition tables takes one), after the statement.
CREATE TRIGGER evaluations_need_units_insert AFTER INSERT ON shegong.evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');
CREATE TRIGGER evaluations_need_units_update AFTER UPDATE ON shegong.evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');
CREATE TRIGGER trainings_need_units_insert AFTER INSERT ON shegong.trainings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('host');
CREATE TRIGGER trainings_need_units_update AFTER UPDATE ON shegong.trainings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('host');
CREATE TRIGGER budget_need_units_insert AFTER INSERT ON shegong.budget
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');
CREATE TRIGGER budget_need_units_update AFTER UPDATE ON shegong.budget
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');

INSERT INTO shegong.schema_version (version) VALUES (6) ON CONFLICT DO NOTHING;
