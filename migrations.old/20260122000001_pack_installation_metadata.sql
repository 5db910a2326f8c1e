-- ============================================================================
-- Migration: Pack Installation Metadata
-- Version:   20260122000001
-- Date:      2026-01-22
--
-- Purpose:
--   Track per-pack runtime environments.  Until now every pack shared the
--   worker's global Python / Node.js installation, so two packs needing
--   different versions of the same library broke each other.  A pack now
--   declares installers (pip requirements, npm packages, system checks),
--   and the worker builds one isolated environment per (pack, runtime).
--
-- Changes:
--   * pack_environment_status_enum
--   * pack.installers       - ordered installer steps from pack.yaml
--   * pack_environment      - one isolated environment per (pack, runtime)
--
-- Data:
--   Installed packs get installer steps derived from their runtime_deps and
--   a 'pending' environment per interpreted runtime they use; workers build
--   pending environments on start, so nothing has to be reinstalled by hand.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Enum
-- ----------------------------------------------------------------------------

-- Lifecycle of a pack environment.
--   pending    - registered, nothing installed yet
--   installing - a worker is building it (see install_log)
--   ready      - built and verified, actions can run
--   failed     - last build failed (see install_error)
--   outdated   - the pack was updated; needs a rebuild before the next run
CREATE TYPE pack_environment_status_enum AS ENUM (
    'pending',
    'installing',
    'ready',
    'failed',
    'outdated'
);


-- ----------------------------------------------------------------------------
-- pack.installers
-- ----------------------------------------------------------------------------

ALTER TABLE pack ADD COLUMN installers JSONB NOT NULL DEFAULT '[]'::jsonb;

ALTER TABLE pack
    ADD CONSTRAINT pack_installers_is_array CHECK (jsonb_typeof(installers) = 'array');

CREATE INDEX idx_pack_installers ON pack USING gin (installers);

COMMENT ON COLUMN pack.installers IS
    'Ordered installer steps from pack.yaml: [{"runtime": "python", "type": "pip", "file": "requirements.txt"}, ...]';


-- ----------------------------------------------------------------------------
-- pack_environment
-- ----------------------------------------------------------------------------

CREATE TABLE pack_environment (
    id              BIGSERIAL PRIMARY KEY,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    runtime         BIGINT NOT NULL REFERENCES runtime(id) ON DELETE CASCADE,
    runtime_ref     TEXT NOT NULL,
    env_path        TEXT NOT NULL,
    status          pack_environment_status_enum NOT NULL DEFAULT 'pending',
    installed_at    TIMESTAMPTZ,
    last_verified   TIMESTAMPTZ,
    install_log     TEXT,
    install_error   TEXT,
    metadata        JSONB NOT NULL DEFAULT '{}'::jsonb,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT pack_environment_pack_runtime_unique UNIQUE (pack, runtime),
    CONSTRAINT pack_environment_failed_has_error CHECK (status <> 'failed' OR install_error IS NOT NULL),
    CONSTRAINT pack_environment_ready_installed CHECK (status <> 'ready' OR installed_at IS NOT NULL)
);

CREATE INDEX idx_pack_environment_pack ON pack_environment (pack);
CREATE INDEX idx_pack_environment_runtime ON pack_environment (runtime);
CREATE INDEX idx_pack_environment_status ON pack_environment (status);
CREATE INDEX idx_pack_environment_pack_ref ON pack_environment (pack_ref);
CREATE INDEX idx_pack_environment_needs_build ON pack_environment (updated)
    WHERE status IN ('pending', 'failed', 'outdated');
CREATE INDEX idx_pack_environment_metadata ON pack_environment USING gin (metadata);

CREATE TRIGGER update_pack_environment_updated
    BEFORE UPDATE ON pack_environment
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE pack_environment IS 'Isolated runtime environment (virtualenv, node_modules, ...) built for one pack and runtime';
COMMENT ON COLUMN pack_environment.pack IS 'Pack the environment belongs to';
COMMENT ON COLUMN pack_environment.runtime IS 'Runtime the environment is built for';
COMMENT ON COLUMN pack_environment.runtime_ref IS 'Runtime ref at build time';
COMMENT ON COLUMN pack_environment.env_path IS 'Filesystem path of the environment on the worker (e.g. /opt/attune/packenvs/slack/python)';
COMMENT ON COLUMN pack_environment.status IS 'pending -> installing -> ready | failed; ready -> outdated on pack update';
COMMENT ON COLUMN pack_environment.installed_at IS 'When the last successful build finished';
COMMENT ON COLUMN pack_environment.last_verified IS 'When the worker last checked the environment is intact';
COMMENT ON COLUMN pack_environment.install_log IS 'Output of the last build (truncated to 64 KiB by the worker)';
COMMENT ON COLUMN pack_environment.install_error IS 'Error message of the last failed build';
COMMENT ON COLUMN pack_environment.metadata IS 'Build details: interpreter version, installed package versions, checksums';


-- ----------------------------------------------------------------------------
-- Backfill for installed packs
-- ----------------------------------------------------------------------------

-- Installer steps: one per interpreted runtime the pack depends on, in the
-- order the dependencies are listed.  The file names are the conventional
-- ones; packs that use others declare installers in pack.yaml on update.
UPDATE pack p
SET installers = (
    SELECT COALESCE(jsonb_agg(step ORDER BY ord), '[]'::jsonb)
    FROM (
        SELECT d.ord,
               CASE d.dep
                   WHEN 'core.action.python' THEN
                       '{"runtime": "python", "type": "pip", "file": "requirements.txt"}'::jsonb
                   WHEN 'core.action.nodejs' THEN
                       '{"runtime": "nodejs", "type": "npm", "file": "package.json"}'::jsonb
               END AS step
        FROM unnest(p.runtime_deps) WITH ORDINALITY AS d(dep, ord)
    ) steps
    WHERE step IS NOT NULL
)
WHERE p.installers = '[]'::jsonb
  AND p.runtime_deps && ARRAY['core.action.python', 'core.action.nodejs'];

-- Pending environments for the same (pack, runtime) pairs.
INSERT INTO pack_environment (pack, pack_ref, runtime, runtime_ref, env_path, status)
SELECT p.id,
       p.ref,
       r.id,
       r.ref,
       '/opt/attune/packenvs/' || p.ref || '/' || r.name,
       'pending'
FROM pack p
JOIN runtime r ON r.ref = ANY (p.runtime_deps)
WHERE r.name IN ('python', 'nodejs')
ON CONFLICT (pack, runtime) DO NOTHING;
