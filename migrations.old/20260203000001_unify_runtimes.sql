-- ============================================================================
-- Migration: Unify Runtimes
-- Version:   20260203000001
-- Date:      2026-02-03
--
-- Purpose:
--   Stop registering runtimes twice.  Since workers run both actions and
--   sensors (20260131000001), "python for actions" and "python for
--   sensors" are the same interpreter, the same virtualenv and the same
--   verification; keeping two rows meant two pack environments, two
--   verifications and refs that differ only by ".action." / ".sensor.".
--
--   A runtime is now identified by <pack>.<name>:
--
--     core.action.python   -> core.python
--     core.action.nodejs   -> core.nodejs
--     core.action.shell    -> core.shell
--     core.action.native   -> core.native
--     core.sensor.python   -> (merged into core.python, row deleted)
--     core.sensor.builtin  -> core.sensor_builtin
--
-- Changes:
--   * drop runtime_ref_format (required the three-part ref);
--     runtime_ref_lowercase stays
--   * drop runtime.runtime_type, its four indexes and runtime_type_enum
--   * re-point sensors, workers and pack environments from sensor
--     duplicates to the matching action runtime, then delete the duplicates
--   * rename refs and update every denormalised copy (sensor.runtime_ref,
--     pack_environment.runtime_ref, pack.runtime_deps)
--   * new runtime.verification column, moved out of distributions
-- ============================================================================


-- ----------------------------------------------------------------------------
-- 1. Constraint and indexes that depend on the old model
-- ----------------------------------------------------------------------------

ALTER TABLE runtime DROP CONSTRAINT runtime_ref_format;

DROP INDEX IF EXISTS idx_runtime_type;
DROP INDEX IF EXISTS idx_runtime_pack_type;
DROP INDEX IF EXISTS idx_runtime_type_created;
DROP INDEX IF EXISTS idx_runtime_type_sensor;


-- ----------------------------------------------------------------------------
-- 2. Merge sensor runtimes that duplicate an action runtime
-- ----------------------------------------------------------------------------
-- A sensor runtime is a duplicate when an action runtime of the same pack
-- has the same name (core.sensor.python vs core.action.python).
-- sensor.runtime has no ON DELETE action, so sensors must be moved first.

UPDATE sensor s
SET runtime = a.id
FROM runtime d, runtime a
WHERE s.runtime = d.id
  AND d.runtime_type = 'sensor'
  AND a.runtime_type = 'action'
  AND a.name = d.name
  AND a.pack_ref IS NOT DISTINCT FROM d.pack_ref;

UPDATE worker w
SET runtime = a.id
FROM runtime d, runtime a
WHERE w.runtime = d.id
  AND d.runtime_type = 'sensor'
  AND a.runtime_type = 'action'
  AND a.name = d.name
  AND a.pack_ref IS NOT DISTINCT FROM d.pack_ref;

-- Environments built for a duplicate would cascade away anyway; deleting
-- them explicitly documents that they are rebuilt (as the action runtime's
-- environment, which is the same virtualenv) on the next pack install.
DELETE FROM pack_environment pe
USING runtime d, runtime a
WHERE pe.runtime = d.id
  AND d.runtime_type = 'sensor'
  AND a.runtime_type = 'action'
  AND a.name = d.name
  AND a.pack_ref IS NOT DISTINCT FROM d.pack_ref;

DELETE FROM runtime d
USING runtime a
WHERE d.runtime_type = 'sensor'
  AND a.runtime_type = 'action'
  AND a.name = d.name
  AND a.pack_ref IS NOT DISTINCT FROM d.pack_ref;


-- ----------------------------------------------------------------------------
-- 3. New refs: <pack>.<name>
-- ----------------------------------------------------------------------------

UPDATE runtime
SET ref = pack_ref || '.' || name
WHERE pack_ref IS NOT NULL;

-- Descriptions that named one side only
UPDATE runtime
SET description = 'Python 3 runtime for actions and sensors. Each pack gets its own virtualenv built from its requirements.txt.'
WHERE ref = 'core.python';

UPDATE runtime
SET description = 'Node.js runtime for JavaScript actions and sensors. Dependencies are installed per pack with npm ci.'
WHERE ref = 'core.nodejs';

-- Denormalised copies of runtime refs
UPDATE sensor s
SET runtime_ref = r.ref
FROM runtime r
WHERE s.runtime = r.id
  AND s.runtime_ref IS DISTINCT FROM r.ref;

UPDATE pack_environment pe
SET runtime_ref = r.ref
FROM runtime r
WHERE pe.runtime = r.id
  AND pe.runtime_ref IS DISTINCT FROM r.ref;

-- pack.runtime_deps holds refs as text: rewrite <pack>.<side>.<name> to
-- <pack>.<name>, collapsing action/sensor pairs into one entry.
UPDATE pack
SET runtime_deps = ARRAY(
    SELECT DISTINCT regexp_replace(dep, '^([^.]+)\.(action|sensor)\.([^.]+)$', '\1.\3')
    FROM unnest(runtime_deps) AS dep
    ORDER BY 1
)
WHERE EXISTS (
    SELECT 1 FROM unnest(runtime_deps) AS dep WHERE dep ~ '^[^.]+\.(action|sensor)\.[^.]+$'
);


-- ----------------------------------------------------------------------------
-- 4. Drop runtime_type
-- ----------------------------------------------------------------------------

ALTER TABLE runtime DROP COLUMN runtime_type;

DROP TYPE runtime_type_enum;


-- ----------------------------------------------------------------------------
-- 5. Verification column
-- ----------------------------------------------------------------------------
-- How a worker checks that a runtime is usable was buried in
-- distributions.verification; it is read on every worker start and
-- matched by the scheduler, so it gets its own column (and index).

ALTER TABLE runtime ADD COLUMN verification JSONB NOT NULL DEFAULT '{}'::jsonb;

UPDATE runtime
SET verification = distributions -> 'verification',
    distributions = distributions - 'verification'
WHERE distributions ? 'verification';

CREATE INDEX idx_runtime_name ON runtime (name);
CREATE INDEX idx_runtime_verification ON runtime USING gin (verification);


-- ----------------------------------------------------------------------------
-- 6. Documentation
-- ----------------------------------------------------------------------------

COMMENT ON TABLE runtime IS 'Execution environment for actions and sensors (Python, Node.js, shell, native, built-in)';
COMMENT ON COLUMN runtime.ref IS 'Unique runtime reference: <pack>.<name> (e.g. core.python)';
COMMENT ON COLUMN runtime.name IS 'Short runtime name, unique within its pack (python, nodejs, shell, native, sensor_builtin)';
COMMENT ON COLUMN runtime.distributions IS 'Supported versions and platforms';
COMMENT ON COLUMN runtime.verification IS
    'How a worker verifies the runtime: {"commands": [{"binary", "args", "exit_code", "pattern", "priority"}]} or {"always_available": true}';
COMMENT ON COLUMN sensor.runtime IS 'Runtime the sensor entrypoint runs in (any runtime: there are no sensor-only runtimes any more)';
