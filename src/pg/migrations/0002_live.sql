-- shegong on a shared PostgreSQL server, migration 2: live changes.
--
-- Every write to units or records sends `NOTIFY shegong_changes` with a JSON payload naming the
-- table, the login and the units touched: {"table":"budget","login":"clerk_biji",
-- "units":["530112001000"]}. An open UI listens on its own connection and refreshes just those
-- units' rows. A notification is delivered at commit, and never for a transaction rolled back,
-- so nobody sees a half-written import. Statement-level triggers with transition tables: one
-- notification per statement, however many rows (an import of 100,000 rows sends one). When the
-- list would not fit a notification (8000 bytes), `units` is null: refresh everything.

-- Names resolve in the schema and the catalogue only (operators of ltree included), whatever
-- the applying session's own search_path; each migration is applied in one transaction.
SET LOCAL search_path = pg_catalog, shegong;

CREATE FUNCTION shegong.notify_changes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  col text := TG_ARGV[0];
  touched text[];
  payload text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I ORDER BY %I) FROM new_rows', col, col) INTO touched;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I ORDER BY %I) FROM old_rows', col, col) INTO touched;
  ELSE
    EXECUTE format('SELECT array_agg(DISTINCT u ORDER BY u) FROM (SELECT %I AS u FROM new_rows UNION SELECT %I FROM old_rows) t', col, col)
      INTO touched;
  END IF;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  payload := json_build_object('table', TG_TABLE_NAME, 'login', current_user, 'units', touched)::text;
  IF octet_length(payload) > 7900 THEN
    payload := json_build_object('table', TG_TABLE_NAME, 'login', current_user, 'units', NULL)::text;
  END IF;
  PERFORM pg_notify('shegong_changes', payload);
  RETURN NULL;
END
$$;

-- A trigger with transition tables takes one event, so three per table.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('units', 'code'), ('evaluations', 'unit'),
                                 ('trainings', 'host'), ('budget', 'unit')) AS v(tab, col)
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON shegong.%I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes(%L)',
                   t.tab || '_notify_insert', t.tab, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON shegong.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes(%L)',
                   t.tab || '_notify_update', t.tab, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON shegong.%I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes(%L)',
                   t.tab || '_notify_delete', t.tab, t.col);
  END LOOP;
END
$$;
