-- shegong on a shared PostgreSQL server, migration 1: the tables.
--
-- Everything lives in the schema `shegong`, owned by the login that runs `shegong --db URL init`
-- (the owner). The ltree extension is installed into that schema too, so that the functions of
-- migration 3 can run with a search_path of only `pg_catalog, shegong`. Every function fixes
-- its search_path and names `pg_temp` last: otherwise a session's own temporary table called
-- `staff` or `units` would be found first, and a clerk could lend itself a wider scope.
--
-- Dates are the files' partial dates in their canonical text (`2021`, `2021-11`,
-- `2021-11-08`); beside each, a generated `*_day` column holds the day from which it counts for
-- "as of D" (the last day of its period, as SPEC.md says), so that every as-of filter is a plain
-- date comparison on an index.
--
-- Totals are computed on read over the subtree, not kept in summary rows. A report of unit U as
-- of D is one pass over `units WHERE path <@ U.path` (GiST on path) joined to each record table
-- by `(unit, day)` (btree), so no row is written by every writer: sixteen clerks saving at once
-- touch sixteen sets of their own rows and never wait on a shared total, and `check` has no
-- stored total that can disagree with the records. The district's data is small (hundreds of
-- units, thousands of records a year); the next session measures the report at the root against
-- sled's stored totals, and if it is too slow adds per-unit-per-day summary rows, each written
-- only by the writer of that unit (never a root row).
--
-- Re-importing a file adds nothing: each record carries the hash of its content and its
-- occurrence (the n-th identical row of one file, as the sled store keys it), unique per kind,
-- so the import's INSERT ... ON CONFLICT DO NOTHING skips what is already there, while two
-- identical rows in one file stay two records.

-- Names resolve in the schema and the catalogue only (operators of ltree included), whatever
-- the applying session's own search_path; each migration is applied in one transaction.
SET LOCAL search_path = pg_catalog, shegong;

CREATE SCHEMA shegong;
CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA shegong;

-- The day from which a partial date counts: the last day of its period.
CREATE FUNCTION shegong.day_of(d text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE length(d)
    WHEN 4 THEN make_date(substr(d, 1, 4)::int, 12, 31)
    WHEN 7 THEN (make_date(substr(d, 1, 4)::int, substr(d, 6, 2)::int, 1)
                 + interval '1 month' - interval '1 day')::date
    ELSE make_date(substr(d, 1, 4)::int, substr(d, 6, 2)::int, substr(d, 9, 2)::int)
  END
$$;

-- A unit code as an ltree label. Codes allow `-`, which PostgreSQL 15's labels do not; `_` is
-- doubled and `-` becomes `_h`, which keeps the mapping one-to-one.
CREATE FUNCTION shegong.label(code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT replace(replace(code, '_', '__'), '-', '_h') $$;

-- Levels in order, for "a child is deeper than its parent".
CREATE FUNCTION shegong.level_rank(level text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT array_position(ARRAY['province', 'city', 'district', 'street', 'community'], level) $$;

-- The hierarchy, with the station on each unit (SPEC.md, "units").
CREATE TABLE shegong.units (
  code text PRIMARY KEY CHECK (code ~ '^[0-9A-Za-z_-]{1,32}$'),
  parent text REFERENCES shegong.units (code) ON UPDATE CASCADE,
  level text NOT NULL CHECK (level IN ('province', 'city', 'district', 'street', 'community')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  station text NOT NULL DEFAULT 'none'
    CHECK (station IN ('none', 'planned', 'building', 'operating', 'closed')),
  opened_on text CHECK (opened_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  closed_on text CHECK (closed_on ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  opened_day date GENERATED ALWAYS AS (shegong.day_of(opened_on)) STORED,
  closed_day date GENERATED ALWAYS AS (shegong.day_of(closed_on)) STORED,
  operator text NOT NULL DEFAULT '',
  address text NOT NULL DEFAULT '',
  contact text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  social_workers integer CHECK (social_workers >= 0),
  certified_workers integer CHECK (certified_workers >= 0 AND certified_workers <= social_workers),
  -- Kept right by the trigger below from the parent's path; whatever a client sends is replaced.
  path shegong.ltree NOT NULL,
  -- For "the second save is refused, naming who changed it and when": a save says which
  -- version it read (`UPDATE ... WHERE code = $1 AND version = $2`); 0 rows means someone else
  -- saved first, and `updated_by`, `updated_at` say who and when. All three are set by the
  -- trigger, never by the client.
  version bigint NOT NULL DEFAULT 1,
  updated_by name NOT NULL DEFAULT current_user,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (station NOT IN ('operating', 'closed') OR opened_on IS NOT NULL),
  CHECK (station <> 'closed' OR closed_on IS NOT NULL),
  CHECK (closed_day IS NULL OR opened_day IS NULL OR closed_day >= opened_day),
  CHECK ((parent IS NULL) OR (parent <> code))
);
CREATE INDEX units_path ON shegong.units USING gist (path);
CREATE INDEX units_parent ON shegong.units (parent);

-- Before each write of a unit: its path from its parent's (refusing a cycle and a child not
-- deeper than its parent), and its version stamp.
CREATE FUNCTION shegong.units_before() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
DECLARE
  up record;
BEGIN
  IF NEW.parent IS NULL THEN
    NEW.path := text2ltree(label(NEW.code));
  ELSE
    SELECT u.path, u.level INTO up FROM units u WHERE u.code = NEW.parent;
    IF NOT FOUND THEN
      RAISE foreign_key_violation USING MESSAGE = format('unit %s: parent %s does not exist', NEW.code, NEW.parent);
    END IF;
    IF TG_OP = 'UPDATE' AND up.path <@ OLD.path THEN
      RAISE check_violation USING MESSAGE = format('unit %s: parent %s is below it', NEW.code, NEW.parent);
    END IF;
    IF level_rank(NEW.level) <= level_rank(up.level) THEN
      RAISE check_violation USING MESSAGE = format('unit %s: level %s is not below its parent''s (%s)', NEW.code, NEW.level, up.level);
    END IF;
    NEW.path := up.path || text2ltree(label(NEW.code));
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version + 1;
  ELSE
    NEW.version := 1;
  END IF;
  NEW.updated_by := current_user;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER units_before BEFORE INSERT OR UPDATE ON shegong.units
  FOR EACH ROW EXECUTE FUNCTION shegong.units_before();

-- After a unit's path changed, its children recompute theirs (their own trigger runs, and so on
-- down), in the same statement's transaction: a moved subtree is never half moved.
CREATE FUNCTION shegong.units_after_move() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  UPDATE units SET parent = NEW.code WHERE parent = NEW.code;
  RETURN NULL;
END
$$;
CREATE TRIGGER units_after_move AFTER UPDATE ON shegong.units
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path)
  EXECUTE FUNCTION shegong.units_after_move();

-- The dated records (SPEC.md, "evaluations", "trainings", "budget"). `seq` is the row's own
-- key; `id` is the file's optional stable id, unique per kind when given.
CREATE TABLE shegong.evaluations (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text UNIQUE,
  unit text NOT NULL REFERENCES shegong.units (code) ON UPDATE CASCADE,
  date text NOT NULL CHECK (date ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  day date GENERATED ALWAYS AS (shegong.day_of(date)) STORED,
  kind text NOT NULL CHECK (kind IN ('midterm', 'annual', 'final', 'self', 'spot')),
  evaluator text NOT NULL DEFAULT '',
  -- tenths of a point
  score smallint CHECK (score BETWEEN 0 AND 1000),
  grade text CHECK (grade IN ('excellent', 'good', 'pass', 'fail')),
  note text NOT NULL DEFAULT '',
  content_hash bytea NOT NULL CHECK (octet_length(content_hash) > 0),
  occurrence integer NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
  UNIQUE (content_hash, occurrence)
);
CREATE INDEX evaluations_unit_day ON shegong.evaluations (unit, day);

CREATE TABLE shegong.trainings (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text UNIQUE,
  date text NOT NULL CHECK (date ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  day date GENERATED ALWAYS AS (shegong.day_of(date)) STORED,
  host text NOT NULL REFERENCES shegong.units (code) ON UPDATE CASCADE,
  kind text NOT NULL CHECK (kind IN ('class', 'coaching', 'supervision', 'meeting')),
  mode text CHECK (mode IN ('online', 'offline', 'mixed')),
  topic text NOT NULL DEFAULT '',
  -- tenths of an hour
  hours integer CHECK (hours > 0),
  attendees integer CHECK (attendees >= 0),
  -- the stations served; empty means the host
  units text[] NOT NULL DEFAULT '{}',
  note text NOT NULL DEFAULT '',
  content_hash bytea NOT NULL CHECK (octet_length(content_hash) > 0),
  occurrence integer NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
  UNIQUE (content_hash, occurrence)
);
CREATE INDEX trainings_host_day ON shegong.trainings (host, day);

CREATE TABLE shegong.budget (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text UNIQUE,
  date text NOT NULL CHECK (date ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  day date GENERATED ALWAYS AS (shegong.day_of(date)) STORED,
  unit text NOT NULL REFERENCES shegong.units (code) ON UPDATE CASCADE,
  kind text NOT NULL CHECK (kind IN ('allocation', 'expenditure')),
  category text CHECK (category IN ('construction', 'operation', 'service_purchase', 'training', 'equipment', 'other')),
  source text CHECK (source IN ('fiscal', 'welfare_lottery', 'other')),
  -- whole fen; a negative amount is a correction, zero is no entry
  amount bigint NOT NULL CHECK (amount <> 0),
  voucher text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  content_hash bytea NOT NULL CHECK (octet_length(content_hash) > 0),
  occurrence integer NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
  UNIQUE (content_hash, occurrence)
);
CREATE INDEX budget_unit_day ON shegong.budget (unit, day);

-- The change journal. `id`, `at` and `login` are set by the trigger below from the server's own
-- sequence, clock and session, whatever the client sends: the journal records who was
-- connected, never a name given by the client. No foreign key on `unit`: a removed unit's
-- entries stay.
CREATE SEQUENCE shegong.journal_id_seq;
CREATE TABLE shegong.journal (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  login name NOT NULL DEFAULT current_user,
  kind text NOT NULL CHECK (kind IN ('unit', 'evaluation', 'training', 'budget', 'import', 'undo')),
  action text NOT NULL,
  unit text,
  record text,
  before jsonb,
  after jsonb,
  summary text NOT NULL DEFAULT ''
);
ALTER SEQUENCE shegong.journal_id_seq OWNED BY shegong.journal.id;
CREATE INDEX journal_unit ON shegong.journal (unit, id);

CREATE FUNCTION shegong.journal_stamp() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, shegong, pg_temp
AS $$
BEGIN
  NEW.id := nextval('shegong.journal_id_seq');
  NEW.at := now();
  NEW.login := current_user;
  RETURN NEW;
END
$$;
CREATE TRIGGER journal_stamp BEFORE INSERT ON shegong.journal
  FOR EACH ROW EXECUTE FUNCTION shegong.journal_stamp();

-- Logins and what they may write: the scope of a login is looked up here by `current_user`
-- (migration 3), never from anything the client can set.
CREATE TABLE shegong.staff (
  login name PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('district', 'clerk', 'auditor')),
  unit text REFERENCES shegong.units (code) ON UPDATE CASCADE,
  CHECK ((role = 'clerk') = (unit IS NOT NULL))
);

-- Templates of the bulk import's staging tables, one per kind, with the file's columns. COPY
-- is refused on a table under row-level security, so an import makes a session-private copy
-- (`CREATE TEMP TABLE s (LIKE shegong.staging_budget) ON COMMIT DROP`), binary-COPYs the file's
-- rows into it, and moves them with one `INSERT INTO shegong.budget ... SELECT ... FROM s` that
-- the policies check row by row: all or nothing, in one transaction. Nobody writes the
-- templates themselves (no grants, and row-level security with no policy).
CREATE TABLE shegong.staging_evaluations (
  id text, unit text, date text, kind text, evaluator text, score smallint, grade text,
  note text, content_hash bytea, occurrence integer
);
CREATE TABLE shegong.staging_trainings (
  id text, date text, host text, kind text, mode text, topic text, hours integer,
  attendees integer, units text[], note text, content_hash bytea, occurrence integer
);
CREATE TABLE shegong.staging_budget (
  id text, date text, unit text, kind text, category text, source text, amount bigint,
  voucher text, note text, content_hash bytea, occurrence integer
);
