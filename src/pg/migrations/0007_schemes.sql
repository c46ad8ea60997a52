-- shegong on a shared PostgreSQL server, migration 7 (issue 15): evaluation schemes, and an
-- evaluation's points per indicator.
--
-- A scheme is one row per indicator, in the file's order (`position`). Everyone with a role
-- reads schemes; only `district` adds them (grant and row-level security both: a clerk with
-- psql cannot either). Schemes are master data read by every evaluation: none is changed or
-- deleted once stored, so there is no UPDATE or DELETE grant at all.
--
-- An evaluation's points are stored with it: the scheme's name and two arrays of the same
-- length, the indicators' codes (sorted) and their points in tenths; all three null for an
-- evaluation without points. The content hash (`pg::rows::content_hash`) covers them.

SET LOCAL search_path = pg_catalog, shegong;

CREATE TABLE shegong.schemes (
  name text NOT NULL CHECK (name <> ''),
  position integer NOT NULL CHECK (position >= 0),
  code text NOT NULL CHECK (code ~ '^[0-9A-Za-z_-]{1,32}$'),
  indicator text NOT NULL,
  grp text NOT NULL,
  -- tenths of a point
  max_points smallint NOT NULL CHECK (max_points > 0),
  PRIMARY KEY (name, code),
  UNIQUE (name, position)
);

ALTER TABLE shegong.evaluations
  ADD COLUMN scheme text,
  ADD COLUMN point_codes text[],
  ADD COLUMN point_tenths smallint[],
  ADD CONSTRAINT evaluations_points_whole CHECK (
    (scheme IS NULL AND point_codes IS NULL AND point_tenths IS NULL)
    OR (scheme IS NOT NULL AND point_codes IS NOT NULL AND point_tenths IS NOT NULL
        AND cardinality(point_codes) = cardinality(point_tenths)));

GRANT SELECT ON shegong.schemes TO shegong_district, shegong_clerk, shegong_auditor;
GRANT INSERT ON shegong.schemes TO shegong_district;
ALTER TABLE shegong.schemes ENABLE ROW LEVEL SECURITY;
ALTER TABLE shegong.schemes FORCE ROW LEVEL SECURITY;
CREATE POLICY read ON shegong.schemes FOR SELECT
  USING ((SELECT shegong.role_of(current_user)) IS NOT NULL);
CREATE POLICY add ON shegong.schemes FOR INSERT
  WITH CHECK ((SELECT shegong.writes_all(current_user)));

-- The version row, as each migration writes its own (the tests apply the files with psql).
INSERT INTO shegong.schema_version (version) VALUES (7) ON CONFLICT DO NOTHING;
