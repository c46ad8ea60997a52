-- shegong on a shared PostgreSQL server, migration 9: a bulk import of budget rows is COPYed
-- straight into its own partition, with no staging table between (docs/SERVER.md, "Measured:
-- COPY into the import's partition").
--
-- Migration 8's `import_budget` read the rows from the session's staging table: every row was
-- written twice (the staging table, then the partition) and read once more. Now:
--
-- 1. `shegong.begin_budget_import(token, rows)` (SECURITY DEFINER, the owner's; `token` must be
--    the calling transaction's id) reserves a block of `seq` for the import's `rows` rows,
--    makes the partition-to-be `budget_p<part>` unindexed and unattached (so nobody else sees
--    it: it was made by this transaction, and is in no query over `budget`), lets the calling
--    login INSERT into it (COPY needs INSERT; it has no row-level security yet, and COPY is
--    refused on a table under it) and records the open import in `budget_imports`.
-- 2. The login binary-COPYs its rows into it: `seq` is the block's start plus the row's place in
--    the input, `batch` and `part` come from the table's defaults.
-- 3. `shegong.finish_budget_import(token)` first takes the login's INSERT away and forces
--    row-level security with no policy on the table (nothing more can be written to it), then
--    checks the whole table set-wise (what migration 8's function checked of the staging
--    table, and what the login may not choose: the numbering, `batch`), leaves out what is
--    stored already, builds the indexes, attaches it, and closes the open import.
--
-- A login can therefore write nothing outside its units through the table: a row outside them
-- refuses the whole import in step 3, and the table can outlive the transaction only through
-- step 3. An import begun and not finished cannot commit: the row in `budget_imports` has a
-- deferred constraint trigger that refuses the commit while the row is there (finishing deletes
-- it), so a COMMIT without step 3 rolls everything back, the table with it.

SET LOCAL search_path = pg_catalog, shegong;

-- The bulk imports of budget rows begun and not finished, each only within its transaction.
CREATE TABLE shegong.budget_imports (
  token bigint PRIMARY KEY,
  part bigint NOT NULL,
  base bigint NOT NULL,
  rows bigint NOT NULL,
  login name NOT NULL
);
REVOKE ALL ON shegong.budget_imports FROM PUBLIC;
-- Under forced row-level security like every table; only the owner (the functions below) has
-- any grant on it, so the one policy lets only the owner through.
ALTER TABLE shegong.budget_imports ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY owner ON shegong.budget_imports USING (true) WITH CHECK (true);

CREATE FUNCTION shegong.budget_import_unfinished() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT FROM budget_imports i WHERE i.token = NEW.token) THEN
    RAISE object_not_in_prerequisite_state USING
      MESSAGE = 'budget: a bulk import was begun and not finished; nothing of it is kept';
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION shegong.budget_import_unfinished() FROM PUBLIC;
CREATE CONSTRAINT TRIGGER budget_import_finished AFTER INSERT ON shegong.budget_imports
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION shegong.budget_import_unfinished();

CREATE FUNCTION shegong.begin_budget_import(token bigint, rows bigint, OUT part bigint, OUT base bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  who name := session_user;
  role text := role_of(session_user);
  part_name text;
BEGIN
  IF token IS DISTINCT FROM pg_current_xact_id()::text::bigint THEN
    RAISE invalid_parameter_value USING MESSAGE = 'begin_budget_import: the token is not this transaction''s';
  END IF;
  IF role IS NULL OR role NOT IN ('district', 'clerk') THEN
    RAISE insufficient_privilege USING MESSAGE = 'permission denied for table budget';
  END IF;
  -- The block is taken from the sequence for good (a sequence is not rolled back), so a count
  -- given without rows must not spend its numbers: at most 100,000,000 rows per import (ten
  -- times a national file) leaves 92 billion imports' worth.
  IF rows IS NULL OR rows < 1 OR rows > 100000000 THEN
    RAISE invalid_parameter_value USING MESSAGE = 'begin_budget_import: between 1 and 100,000,000 rows';
  END IF;
  -- The block of numbers, reserved while no other writer of budget rows is in a statement (each
  -- takes this lock shared first); held only for the two calls, not until the commit.
  PERFORM pg_advisory_lock(x'0000627564676574'::bigint);
  base := nextval(pg_get_serial_sequence('shegong.budget', 'seq'));
  PERFORM setval(pg_get_serial_sequence('shegong.budget', 'seq'), base + rows - 1);
  PERFORM pg_advisory_unlock(x'0000627564676574'::bigint);
  base := base - 1;
  part := nextval('shegong.budget_part_seq');
  part_name := 'budget_p' || part;
  EXECUTE format('CREATE TABLE shegong.%I (LIKE shegong.budget INCLUDING DEFAULTS INCLUDING GENERATED '
                 'INCLUDING CONSTRAINTS, CHECK (part = %s))', part_name, part);
  EXECUTE format('ALTER TABLE shegong.%I ALTER part SET DEFAULT %s, ALTER batch SET DEFAULT %s',
                 part_name, part, token);
  -- (The schema's owner, importing as itself, has every right already.)
  IF who <> current_user THEN
    EXECUTE format('GRANT INSERT ON shegong.%I TO %I', part_name, who);
  END IF;
  INSERT INTO budget_imports (token, part, base, rows, login)
    VALUES (begin_budget_import.token, begin_budget_import.part, begin_budget_import.base,
            begin_budget_import.rows, who);
END
$$;
REVOKE ALL ON FUNCTION shegong.begin_budget_import(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegong.begin_budget_import(bigint, bigint) TO shegong_district, shegong_clerk;

-- The import begun by this transaction's `begin_budget_import`, checked and attached: the
-- partition and the rows added (none: no partition, every row was stored already).
CREATE FUNCTION shegong.finish_budget_import(token bigint, OUT part bigint, OUT added bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
SET maintenance_work_mem = '256MB'
SET work_mem = '256MB'
AS $$
DECLARE
  who name := session_user;
  role text := role_of(session_user);
  began budget_imports;
  part_name text;
  staged bigint;
  first_seq bigint;
  last_seq bigint;
  batches_right boolean;
  named text[];
  locked bigint;
  stored bigint;
  hit text;
  scope shegong.ltree;
  payload text;
BEGIN
  IF token IS DISTINCT FROM pg_current_xact_id()::text::bigint THEN
    RAISE invalid_parameter_value USING MESSAGE = 'finish_budget_import: the token is not this transaction''s';
  END IF;
  SELECT * INTO began FROM budget_imports i WHERE i.token = finish_budget_import.token;
  IF NOT FOUND OR began.login IS DISTINCT FROM who THEN
    RAISE invalid_parameter_value USING MESSAGE = 'finish_budget_import: no import of budget rows was begun';
  END IF;
  IF role IS NULL OR role NOT IN ('district', 'clerk') THEN
    RAISE insufficient_privilege USING MESSAGE = 'permission denied for table budget';
  END IF;
  part_name := 'budget_p' || began.part;
  -- Nothing more is written to it by the login (row-level security is forced on it below, once
  -- this function has read it: forced, it would hide the rows from the owner too).
  IF who <> current_user THEN
    EXECUTE format('REVOKE ALL ON shegong.%I FROM %I', part_name, who);
  END IF;
  PERFORM pg_advisory_xact_lock(x'0000627564676574'::bigint);
  -- One pass over the rows: how many, the units they name, how they are numbered, their batch.
  EXECUTE format('SELECT sum(d.n)::bigint, array_agg(d.u), min(d.lo), max(d.hi), bool_and(d.b) '
                 '  FROM (SELECT p.unit AS u, count(*) AS n, min(p.seq) AS lo, max(p.seq) AS hi, '
                 '               bool_and(p.batch IS NOT DISTINCT FROM $1) AS b '
                 '          FROM shegong.%I p GROUP BY 1) d', part_name)
    INTO staged, named, first_seq, last_seq, batches_right USING token;
  -- The numbers are the block's, each once (the unique index below refuses a number twice):
  -- the rows keep the input's order.
  IF staged IS DISTINCT FROM began.rows OR first_seq <= began.base OR last_seq > began.base + began.rows
     OR NOT batches_right THEN
    RAISE invalid_parameter_value USING
      MESSAGE = 'finish_budget_import: the rows are not the import''s (count, numbering or batch)';
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
  -- What is stored already (in any attached partition) is left out: a re-import adds nothing.
  EXECUTE format('DELETE FROM shegong.%I p WHERE EXISTS (SELECT FROM budget b '
                 'WHERE b.content_hash = p.content_hash AND b.occurrence = p.occurrence)', part_name);
  GET DIAGNOSTICS stored = ROW_COUNT;
  DELETE FROM budget_imports i WHERE i.token = finish_budget_import.token;
  added := staged - stored;
  IF added = 0 THEN
    EXECUTE format('DROP TABLE shegong.%I', part_name);
    part := NULL;
    RETURN;
  END IF;
  part := began.part;
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
  EXECUTE format('ALTER TABLE shegong.%I ALTER part DROP DEFAULT, ALTER batch DROP DEFAULT, '
                 'ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', part_name);
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
REVOKE ALL ON FUNCTION shegong.finish_budget_import(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegong.finish_budget_import(bigint) TO shegong_district, shegong_clerk;

INSERT INTO shegong.schema_version (version) VALUES (9) ON CONFLICT DO NOTHING;
