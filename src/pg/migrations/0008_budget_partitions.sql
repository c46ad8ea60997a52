-- shegong on a shared PostgreSQL server, migration 8: a bulk import of budget rows loads a
-- partition of its own, indexed after the load (docs/SERVER.md, "Measured: a partition per
-- import").
--
-- Until this, an import's `INSERT … SELECT` grew the budget table's four btrees row by row:
-- most of its time. Now `shegong.budget` is partitioned by `part`:
--
-- - `budget_main` (`part = 0`) is the table as it was: every row written through
--   `shegong.budget` lands there (the `add` policy allows no other `part`), small adds and
--   everything stored before this migration.
-- - `budget_<token>` (`part = token`, the import's transaction id) holds one bulk import's
--   rows. `shegong.import_budget(token)` (SECURITY DEFINER, the owner's) makes it, fills it
--   from the session's staging table in one `INSERT … SELECT` (no index yet), builds its
--   indexes by sorting, and attaches it, all in the caller's transaction: a refused or killed
--   import leaves nothing, and nothing is visible before the commit. Nobody else can write a
--   partition: they have no grants (only the parent has), their row-level security is forced
--   with no policy, and a clerk owns no table and cannot attach one (ATTACH needs the owner).
--
-- What the unique indexes held across the whole table is now held across partitions so:
--
-- - every writer of budget rows takes the advisory lock `BUDGET_LOCK` (a BEFORE STATEMENT
--   trigger on the parent takes it shared, `import_budget` exclusive), so a bulk import never
--   runs beside another write of budget rows, and each side sees the other's committed rows;
-- - `import_budget` leaves out rows whose content (`content_hash`, `occurrence`) is stored in
--   any partition (one anti-join: re-importing adds nothing) and refuses a given `id` stored
--   in any partition;
-- - after each statement through the parent, `budget_keys_unique` refuses a row whose `seq`,
--   content or `id` is in another partition (within one partition its unique indexes do).
--
-- `seq` stays the identity of the parent (`import_budget` reserves a block of it), `part`
-- and `batch` cannot be updated by staff (column grants), and the policies, the NOTIFY and the
-- unit-check triggers move to the parent unchanged; `import_budget` does their work for the
-- partition it attaches (scope checked once for the whole import against the login's units,
-- units locked `FOR KEY SHARE` and checked, one notification).

SET LOCAL search_path = pg_catalog, shegong;

LOCK TABLE shegong.budget IN ACCESS EXCLUSIVE MODE;
-- The highest `seq` given so far, read while the policies still let the owner see the rows: the
-- parent's identity goes on from it (a deleted row's number is never given again, so undoing
-- its deletion can put it back under it).
CREATE TEMP TABLE budget_seq_reached ON COMMIT DROP AS
  SELECT greatest((SELECT max(seq) FROM shegong.budget), (SELECT last_value FROM shegong.budget_seq_seq)) AS seq;

-- The table as it was becomes the main partition: its rows stay where they are.
ALTER TABLE shegong.budget RENAME TO budget_main;
DROP TRIGGER budget_notify_insert ON shegong.budget_main;
DROP TRIGGER budget_notify_update ON shegong.budget_main;
DROP TRIGGER budget_notify_delete ON shegong.budget_main;
DROP TRIGGER budget_need_units_insert ON shegong.budget_main;
DROP TRIGGER budget_need_units_update ON shegong.budget_main;
DROP POLICY read ON shegong.budget_main;
DROP POLICY add ON shegong.budget_main;
DROP POLICY change ON shegong.budget_main;
DROP POLICY remove ON shegong.budget_main;
ALTER TABLE shegong.budget_main DROP CONSTRAINT budget_pkey;
ALTER TABLE shegong.budget_main DROP CONSTRAINT budget_content_hash_occurrence_key;
DROP INDEX shegong.budget_id, shegong.budget_unit_day, shegong.budget_batch;
ALTER TABLE shegong.budget_main ALTER seq DROP IDENTITY;
ALTER TABLE shegong.budget_main ADD COLUMN part bigint NOT NULL DEFAULT 0;
REVOKE ALL ON shegong.budget_main FROM shegong_district, shegong_clerk, shegong_auditor;

-- The parent: the same columns, defaults, generated `day` and CHECKs (same names).
CREATE TABLE shegong.budget
  (LIKE shegong.budget_main INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)
  PARTITION BY LIST (part);
ALTER TABLE shegong.budget ALTER seq ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('shegong.budget', 'seq'),
              coalesce((SELECT seq FROM pg_temp.budget_seq_reached), 0) + 1, false);
ALTER TABLE shegong.budget ATTACH PARTITION shegong.budget_main FOR VALUES IN (0);

-- The indexes of migrations 1, 4 and 5, each holding `part` where unique (a unique index of a
-- partitioned table must); built on `budget_main` here, and by `import_budget` on each new
-- partition before it is attached (which adopts them).
CREATE UNIQUE INDEX budget_seq ON shegong.budget (seq, part);
CREATE UNIQUE INDEX budget_content ON shegong.budget (content_hash, occurrence, part);
CREATE UNIQUE INDEX budget_id ON shegong.budget (id, part) WHERE id IS NOT NULL;
CREATE INDEX budget_unit_day ON shegong.budget (unit, day);
CREATE INDEX budget_batch ON shegong.budget USING brin (batch);

-- Row-level security: the parent's policies are migration 3's, with `part = 0` for a row
-- added through it; a partition is read and written only through the parent.
ALTER TABLE shegong.budget ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegong.budget FORCE ROW LEVEL SECURITY;
CREATE POLICY read ON shegong.budget FOR SELECT USING ((SELECT shegong.role_of(current_user)) IS NOT NULL);
CREATE POLICY add ON shegong.budget FOR INSERT WITH CHECK (part = 0 AND (
  (SELECT shegong.writes_all(current_user)) OR unit = ANY ((SELECT shegong.writable_codes(current_user))::text[])));
CREATE POLICY change ON shegong.budget FOR UPDATE
  USING ((SELECT shegong.writes_all(current_user)) OR unit = ANY ((SELECT shegong.writable_codes(current_user))::text[]))
  WITH CHECK ((SELECT shegong.writes_all(current_user)) OR unit = ANY ((SELECT shegong.writable_codes(current_user))::text[]));
CREATE POLICY remove ON shegong.budget FOR DELETE
  USING ((SELECT shegong.writes_all(current_user)) OR unit = ANY ((SELECT shegong.writable_codes(current_user))::text[]));

GRANT SELECT ON shegong.budget TO shegong_district, shegong_clerk, shegong_auditor;
GRANT INSERT, DELETE ON shegong.budget TO shegong_district, shegong_clerk;
GRANT UPDATE (id, date, unit, kind, category, source, amount, voucher, note, content_hash, occurrence)
  ON shegong.budget TO shegong_district, shegong_clerk;

-- Migration 2's and 6's statement triggers, on the parent.
CREATE TRIGGER budget_notify_insert AFTER INSERT ON shegong.budget REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes('unit');
CREATE TRIGGER budget_notify_update AFTER UPDATE ON shegong.budget
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes('unit');
CREATE TRIGGER budget_notify_delete AFTER DELETE ON shegong.budget REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.notify_changes('unit');
CREATE TRIGGER budget_need_units_insert AFTER INSERT ON shegong.budget REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');
CREATE TRIGGER budget_need_units_update AFTER UPDATE ON shegong.budget REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.records_need_units('unit');

-- The lock between writers of budget rows (see the header); the key is "budget" in ASCII,
-- `BUDGET_LOCK` in src/pg/import.rs.
CREATE FUNCTION shegong.budget_share_lock() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(x'0000627564676574'::bigint);
  RETURN NULL;
END
$$;
CREATE TRIGGER budget_share_lock_insert BEFORE INSERT ON shegong.budget
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.budget_share_lock();
CREATE TRIGGER budget_share_lock_update BEFORE UPDATE ON shegong.budget
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.budget_share_lock();

-- After a statement through the parent: its rows' keys are in no other partition.
CREATE FUNCTION shegong.budget_keys_unique() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  hit text;
BEGIN
  SELECT n.seq::text INTO hit FROM new_rows n
   WHERE EXISTS (SELECT FROM budget b WHERE b.seq = n.seq AND b.part <> n.part) LIMIT 1;
  IF hit IS NOT NULL THEN
    RAISE unique_violation USING MESSAGE = format('budget: seq %s is stored already', hit);
  END IF;
  SELECT n.unit INTO hit FROM new_rows n
   WHERE EXISTS (SELECT FROM budget b WHERE b.content_hash = n.content_hash AND b.occurrence = n.occurrence
                   AND b.part <> n.part) LIMIT 1;
  IF hit IS NOT NULL THEN
    RAISE unique_violation USING MESSAGE = format('budget: a row of unit %s is stored already', hit);
  END IF;
  SELECT n.id INTO hit FROM new_rows n
   WHERE n.id IS NOT NULL AND EXISTS (SELECT FROM budget b WHERE b.id = n.id AND b.part <> n.part) LIMIT 1;
  IF hit IS NOT NULL THEN
    RAISE unique_violation USING MESSAGE = format('budget: id %s is stored already', hit);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION shegong.budget_keys_unique(), shegong.budget_share_lock() FROM PUBLIC;
CREATE TRIGGER budget_keys_unique_insert AFTER INSERT ON shegong.budget REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.budget_keys_unique();
CREATE TRIGGER budget_keys_unique_update AFTER UPDATE ON shegong.budget REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION shegong.budget_keys_unique();

-- The numbers of bulk imports' partitions (`part`), given by `import_budget` alone.
CREATE SEQUENCE shegong.budget_part_seq;

-- One bulk import of budget rows, from the session's `pg_temp.stage_budget` (src/pg/stage.rs;
-- the caller grants the owner SELECT on it), into a partition of its own: its number and the
-- rows added (none: no partition). `token` must be the calling transaction's id (the rows'
-- `batch`, by which undo finds them). Who writes is the session's login (`session_user`: the
-- function runs as the owner, and a login's own staff row is the most it may write whatever
-- role it has set).
CREATE FUNCTION shegong.import_budget(token bigint, OUT part bigint, OUT added bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
SET maintenance_work_mem = '256MB'
SET work_mem = '256MB'
AS $$
DECLARE
  who name := session_user;
  role text := role_of(session_user);
  part_name text;
  staged bigint;
  last_ord bigint;
  first_ord bigint;
  base bigint;
  named text[];
  locked bigint;
  stored bigint[];
  hit text;
  scope shegong.ltree;
  payload text;
BEGIN
  IF token IS DISTINCT FROM pg_current_xact_id()::text::bigint THEN
    RAISE invalid_parameter_value USING MESSAGE = 'import_budget: the token is not this transaction''s';
  END IF;
  IF role IS NULL OR role NOT IN ('district', 'clerk') THEN
    RAISE insufficient_privilege USING MESSAGE = 'permission denied for table budget';
  END IF;
  PERFORM pg_advisory_xact_lock(x'0000627564676574'::bigint);
  -- One pass over the staged rows: how many, the units they name, how they are numbered.
  SELECT sum(d.n)::bigint, array_agg(d.u), min(d.lo), max(d.hi) INTO staged, named, first_ord, last_ord
    FROM (SELECT s.unit::text AS u, count(*) AS n, min(s.ord::bigint) AS lo, max(s.ord::bigint) AS hi
            FROM pg_temp.stage_budget s GROUP BY 1) d;
  part := NULL;
  added := 0;
  IF staged IS NULL THEN
    RETURN;
  END IF;
  -- The rows are numbered 1 to N in input order (`ord`): each row's `seq` is a number reserved
  -- below plus its `ord`, so they keep the input's order without a sort (a number given twice
  -- is refused by the partition's unique index).
  IF first_ord < 1 OR last_ord > staged THEN
    RAISE invalid_parameter_value USING MESSAGE = 'import_budget: the staged rows are not numbered 1 to N';
  END IF;
  -- Migration 6's unit check, once per unit named: each exists, locked as a foreign key's check
  -- locks it.
  SELECT count(*) INTO locked FROM (SELECT FROM units u WHERE u.code = ANY (named) FOR KEY SHARE OF u) l;
  IF locked <> cardinality(named) OR array_position(named, NULL) IS NOT NULL THEN
    SELECT c INTO hit FROM unnest(named) c WHERE c IS NULL OR NOT EXISTS (SELECT FROM units u WHERE u.code = c)
     LIMIT 1;
    RAISE foreign_key_violation USING MESSAGE = format('budget: unit %s does not exist', hit);
  END IF;
  -- The policies' check, once per unit named: each is one the login writes.
  IF role = 'clerk' THEN
    scope := scope_path(who);
    SELECT c INTO hit FROM unnest(named) c
     WHERE NOT EXISTS (SELECT FROM units u WHERE u.code = c AND u.path <@ scope) LIMIT 1;
    IF hit IS NOT NULL THEN
      RAISE insufficient_privilege USING
        MESSAGE = format('new row violates row-level security policy for table "budget" (unit %s)', hit);
    END IF;
  END IF;
  -- What is stored already (in any partition) is left out: a re-import adds nothing.
  SELECT array_agg(s.ord::bigint) INTO stored FROM pg_temp.stage_budget s
   WHERE EXISTS (SELECT FROM budget b WHERE b.content_hash = s.content_hash::bytea
                                         AND b.occurrence = s.occurrence::integer);
  IF cardinality(stored) = staged THEN
    RETURN;
  END IF;
  -- Nobody else takes a number meanwhile: every other writer of budget rows waits for the lock.
  base := nextval(pg_get_serial_sequence('shegong.budget', 'seq'));
  PERFORM setval(pg_get_serial_sequence('shegong.budget', 'seq'), base + last_ord);
  part := nextval('shegong.budget_part_seq');
  part_name := 'budget_p' || part;
  EXECUTE format('CREATE TABLE shegong.%I (LIKE shegong.budget INCLUDING DEFAULTS INCLUDING GENERATED '
                 'INCLUDING CONSTRAINTS, CHECK (part = %s))', part_name, part);
  -- Unindexed.
  EXECUTE format(
    'INSERT INTO shegong.%I (seq, id, date, unit, kind, category, source, amount, voucher, note, '
    '                        content_hash, occurrence, batch, part) '
    'SELECT $4 + s.ord::bigint, s.id::text, s.date::text, s.unit::text, s.kind::text, s.category::text, '
    '       s.source::text, s.amount::bigint, s.voucher::text, s.note::text, s.content_hash::bytea, '
    '       s.occurrence::integer, $1, $2 '
    '  FROM pg_temp.stage_budget s %s',
    part_name, CASE WHEN stored IS NULL THEN '' ELSE 'WHERE s.ord NOT IN (SELECT unnest($3))' END)
  USING token, part, stored, base;
  GET DIAGNOSTICS added = ROW_COUNT;
  -- A given id is unique per kind, across partitions.
  EXECUTE format('SELECT p.id FROM shegong.%I p WHERE p.id IS NOT NULL '
                 'AND EXISTS (SELECT FROM shegong.budget b WHERE b.id = p.id) LIMIT 1', part_name) INTO hit;
  IF hit IS NOT NULL THEN
    RAISE unique_violation USING MESSAGE = format('budget: id %s is stored already', hit);
  END IF;
  -- The parent's indexes, built by sorting (a duplicate within the import refuses it here).
  EXECUTE format('CREATE UNIQUE INDEX ON shegong.%I (seq, part)', part_name);
  EXECUTE format('CREATE UNIQUE INDEX ON shegong.%I (content_hash, occurrence, part)', part_name);
  EXECUTE format('CREATE UNIQUE INDEX ON shegong.%I (id, part) WHERE id IS NOT NULL', part_name);
  EXECUTE format('CREATE INDEX ON shegong.%I (unit, day)', part_name);
  EXECUTE format('CREATE INDEX ON shegong.%I USING brin (batch)', part_name);
  EXECUTE format('ALTER TABLE shegong.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', part_name);
  EXECUTE format('ALTER TABLE shegong.budget ATTACH PARTITION shegong.%I FOR VALUES IN (%s)', part_name, part);
  -- Migration 2's notification (sent at the commit), in the login's name: the units named.
  payload := json_build_object('table', 'budget', 'login', who,
                               'units', (SELECT array_agg(c ORDER BY c) FROM unnest(named) c))::text;
  IF octet_length(payload) > 7900 THEN
    payload := json_build_object('table', 'budget', 'login', who, 'units', NULL)::text;
  END IF;
  PERFORM pg_notify('shegong_changes', payload);
END
$$;
REVOKE ALL ON FUNCTION shegong.import_budget(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegong.import_budget(bigint) TO shegong_district, shegong_clerk;

-- Version 8.
INSERT INTO shegong.schema_version (version) VALUES (8) ON CONFLICT DO NOTHING;
