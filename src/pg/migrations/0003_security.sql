-- shegong on a shared PostgreSQL server, migration 3: who may read and write what.
--
-- Three group roles, shared by every shegong database of the cluster (roles are cluster-wide):
-- `shegong_district` (writes everywhere), `shegong_clerk` (writes records and units of its unit
-- and the units below it), `shegong_auditor` (reads everything, writes nothing). `shegong staff
-- add` makes a login, puts it in one group and writes its row in `shegong.staff`.
--
-- Two locks, both in the server, so that a clerk connected with psql is held as the program is:
-- - grants: auditors SELECT only; clerks and district also INSERT, UPDATE, DELETE units and
--   records, and INSERT (only) into the journal; only district writes staff; nobody but the
--   owner writes the staging templates or changes or deletes the journal;
-- - row-level security, ENABLEd and FORCEd on every table (the owner too is held by the
--   policies; the owner's policies let it do everything): a login's scope comes from its row in
--   `staff`, looked up by `current_user` through SECURITY DEFINER functions with a fixed
--   search_path, and counts only while the login is also in the group its row names. A login
--   with no row here reads nothing, even if it is in a group through another shegong database
--   of the cluster. The scope functions run once per statement (they are wrapped in scalar
--   sub-selects, which PostgreSQL evaluates once as an InitPlan), not once per row, so an
--   import's INSERT ... SELECT checks each row against an array.

-- Names resolve in the schema and the catalogue only (operators of ltree included), whatever
-- the applying session's own search_path; each migration is applied in one transaction.
SET LOCAL search_path = pg_catalog, shegong;

DO $$
DECLARE
  g text;
BEGIN
  FOREACH g IN ARRAY ARRAY['shegong_district', 'shegong_clerk', 'shegong_auditor'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = g) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', g);
    END IF;
  END LOOP;
END
$$;

-- Whether `who` is the owner of the schema (or a superuser): the login that ran `init`.
CREATE FUNCTION shegong.is_owner(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
  SELECT pg_has_role(who, (SELECT nspowner FROM pg_namespace WHERE nspname = 'shegong'), 'USAGE')
$$;

-- The role `who` writes with: its staff row's, while it is in that group; `district` for the
-- owner; null for anyone else. The owner is answered before `staff` is read, so that the
-- owner's own read of `staff` (under FORCE'd row-level security) does not come back here.
CREATE FUNCTION shegong.role_of(who name) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  r text;
BEGIN
  IF is_owner(who) THEN
    RETURN 'district';
  END IF;
  SELECT s.role INTO r FROM staff s WHERE s.login = who;
  IF r IS NULL OR NOT pg_has_role(who, 'shegong_' || r, 'MEMBER') THEN
    RETURN NULL;
  END IF;
  RETURN r;
END
$$;

CREATE FUNCTION shegong.writes_all(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$ SELECT coalesce(role_of(who) = 'district', false) $$;

-- A clerk's unit's path (its subtree is what it writes); null for anyone else.
CREATE FUNCTION shegong.scope_path(who name) RETURNS ltree
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$
  SELECT u.path FROM staff s JOIN units u ON u.code = s.unit
  WHERE s.login = who AND role_of(who) = 'clerk'
$$;

-- The codes of the units a clerk writes records of; null for anyone else.
CREATE FUNCTION shegong.writable_codes(who name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, shegong, pg_temp
AS $$ SELECT array_agg(u.code) FROM units u WHERE u.path <@ scope_path(who) $$;

REVOKE ALL ON FUNCTION shegong.is_owner(name), shegong.role_of(name), shegong.writes_all(name),
  shegong.scope_path(name), shegong.writable_codes(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shegong.is_owner(name), shegong.role_of(name), shegong.writes_all(name),
  shegong.scope_path(name), shegong.writable_codes(name)
  TO shegong_district, shegong_clerk, shegong_auditor;

-- Grants.
GRANT USAGE ON SCHEMA shegong TO shegong_district, shegong_clerk, shegong_auditor;
-- Everyone reads; the staging templates too, because `CREATE TEMP TABLE ... (LIKE ...)` needs
-- it (they are empty, and their row-level security has no policy: nothing to see).
GRANT SELECT ON ALL TABLES IN SCHEMA shegong TO shegong_district, shegong_clerk, shegong_auditor;
GRANT INSERT, UPDATE, DELETE ON shegong.units, shegong.evaluations, shegong.trainings, shegong.budget
  TO shegong_district, shegong_clerk;
GRANT INSERT ON shegong.journal TO shegong_district, shegong_clerk;
GRANT USAGE ON SEQUENCE shegong.journal_id_seq TO shegong_district, shegong_clerk;
GRANT INSERT, UPDATE, DELETE ON shegong.staff TO shegong_district;

-- Row-level security on every table, forced on the owner too.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['units', 'evaluations', 'trainings', 'budget', 'journal', 'staff',
                           'staging_evaluations', 'staging_trainings', 'staging_budget'] LOOP
    EXECUTE format('ALTER TABLE shegong.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE shegong.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  -- Reading: anyone with a role here (staff, or the owner).
  FOREACH t IN ARRAY ARRAY['units', 'evaluations', 'trainings', 'budget', 'journal', 'staff'] LOOP
    EXECUTE format('CREATE POLICY read ON shegong.%I FOR SELECT '
                   'USING ((SELECT shegong.role_of(current_user)) IS NOT NULL)', t);
  END LOOP;
END
$$;

-- Records: district everywhere, a clerk within its subtree, both before and after the write
-- (moving a record out of one's units is refused like writing it there).
CREATE FUNCTION shegong.record_policies(tab text, col text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  scope text := format('(SELECT shegong.writes_all(current_user)) OR %I = ANY ((SELECT shegong.writable_codes(current_user))::text[])', col);
BEGIN
  EXECUTE format('CREATE POLICY add ON shegong.%I FOR INSERT WITH CHECK (%s)', tab, scope);
  EXECUTE format('CREATE POLICY change ON shegong.%I FOR UPDATE USING (%s) WITH CHECK (%s)', tab, scope, scope);
  EXECUTE format('CREATE POLICY remove ON shegong.%I FOR DELETE USING (%s)', tab, scope);
END
$$;
SELECT shegong.record_policies('evaluations', 'unit');
SELECT shegong.record_policies('trainings', 'host');
SELECT shegong.record_policies('budget', 'unit');
DROP FUNCTION shegong.record_policies(text, text);

-- Units: by path, because a unit being added is not in `units` yet; its path is set by the
-- BEFORE trigger, and the policies check the row after it. A clerk can't move a unit out of its
-- subtree, nor above its own unit.
CREATE POLICY add ON shegong.units FOR INSERT WITH CHECK (
  (SELECT shegong.writes_all(current_user)) OR path <@ (SELECT shegong.scope_path(current_user)));
CREATE POLICY change ON shegong.units FOR UPDATE
  USING ((SELECT shegong.writes_all(current_user)) OR path <@ (SELECT shegong.scope_path(current_user)))
  WITH CHECK ((SELECT shegong.writes_all(current_user)) OR path <@ (SELECT shegong.scope_path(current_user)));
CREATE POLICY remove ON shegong.units FOR DELETE USING (
  (SELECT shegong.writes_all(current_user)) OR path <@ (SELECT shegong.scope_path(current_user)));

-- The journal: appended for a unit one writes; changed or deleted by the owner alone.
CREATE POLICY add ON shegong.journal FOR INSERT WITH CHECK (
  (SELECT shegong.writes_all(current_user)) OR unit = ANY ((SELECT shegong.writable_codes(current_user))::text[]));
CREATE POLICY owner_change ON shegong.journal FOR UPDATE
  USING ((SELECT shegong.is_owner(current_user))) WITH CHECK ((SELECT shegong.is_owner(current_user)));
CREATE POLICY owner_remove ON shegong.journal FOR DELETE USING ((SELECT shegong.is_owner(current_user)));

-- Staff: written by district logins (and the owner).
CREATE POLICY add ON shegong.staff FOR INSERT WITH CHECK ((SELECT shegong.writes_all(current_user)));
CREATE POLICY change ON shegong.staff FOR UPDATE
  USING ((SELECT shegong.writes_all(current_user))) WITH CHECK ((SELECT shegong.writes_all(current_user)));
CREATE POLICY remove ON shegong.staff FOR DELETE USING ((SELECT shegong.writes_all(current_user)));
