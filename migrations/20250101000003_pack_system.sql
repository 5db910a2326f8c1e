-- 20250101000003_pack_system.sql
-- Pack (with installers), runtime (no runtime_type)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000002_core_tables.sql
--   20260122000001_pack_installation_metadata.sql
--   20260203000001_unify_runtimes.sql

-- ============================================================================
-- PACK
-- ============================================================================
-- A pack is the unit of distribution: a versioned bundle of actions,
-- sensors, triggers, rules and workflows.  The "core" pack ships with the
-- platform; everything else is installed from git or a pack index.
CREATE TABLE pack (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    label           TEXT NOT NULL,
    description     TEXT,
    version         TEXT NOT NULL,
    conf_schema     JSONB NOT NULL DEFAULT '{}'::jsonb,
    config          JSONB NOT NULL DEFAULT '{}'::jsonb,
    meta            JSONB NOT NULL DEFAULT '{}'::jsonb,
    tags            TEXT[] NOT NULL DEFAULT '{}',
    runtime_deps    TEXT[] NOT NULL DEFAULT '{}',
    is_standard     BOOLEAN NOT NULL DEFAULT FALSE,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    installers      JSONB NOT NULL DEFAULT '[]'::jsonb,

    CONSTRAINT pack_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT pack_ref_format CHECK (ref ~ '^[a-z][a-z0-9_-]*$'),
    CONSTRAINT pack_version_semver CHECK (version ~ '^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'),
    CONSTRAINT pack_installers_is_array CHECK (jsonb_typeof(installers) = 'array')
);

-- Foreign key permission_set.pack: added here, where pack exists (permission_set is created in 20250101000002_identity_and_auth.sql).
ALTER TABLE permission_set
    ADD CONSTRAINT permission_set_pack_fkey FOREIGN KEY (pack) REFERENCES pack(id) ON DELETE CASCADE;

-- Foreign key policy.pack: added here, where pack exists (policy is created in 20250101000002_identity_and_auth.sql).
ALTER TABLE policy
    ADD CONSTRAINT policy_pack_fkey FOREIGN KEY (pack) REFERENCES pack(id) ON DELETE CASCADE;

CREATE INDEX idx_pack_created ON pack (created DESC);
CREATE INDEX idx_pack_is_standard ON pack (is_standard) WHERE is_standard = TRUE;
CREATE INDEX idx_pack_tags ON pack USING gin (tags);
CREATE INDEX idx_pack_runtime_deps ON pack USING gin (runtime_deps);
CREATE INDEX idx_pack_meta ON pack USING gin (meta);
CREATE INDEX idx_pack_label_trgm ON pack USING gin (label gin_trgm_ops);

CREATE TRIGGER update_pack_updated
    BEFORE UPDATE ON pack
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE pack IS 'Versioned bundle of automation content (actions, sensors, triggers, rules, workflows)';
COMMENT ON COLUMN pack.ref IS 'Unique pack reference, lower-case (e.g. "core", "slack")';
COMMENT ON COLUMN pack.label IS 'Human-readable name shown in the UI';
COMMENT ON COLUMN pack.version IS 'Semantic version of the installed pack (MAJOR.MINOR.PATCH[-pre][+build])';
COMMENT ON COLUMN pack.conf_schema IS 'JSON Schema describing the pack configuration';
COMMENT ON COLUMN pack.config IS 'Pack configuration values, validated against conf_schema';
COMMENT ON COLUMN pack.meta IS 'Free-form metadata from pack.yaml (author, homepage, license, ...)';
COMMENT ON COLUMN pack.tags IS 'Tags for discovery and filtering';
COMMENT ON COLUMN pack.runtime_deps IS 'Runtime refs this pack needs (e.g. {"core.action.python"})';
COMMENT ON COLUMN pack.is_standard IS 'True for packs that ship with the platform (core, linux, http)';

-- ============================================================================
-- RUNTIME
-- ============================================================================
-- An execution environment (interpreter or binary loader) that actions and
-- sensors run in.  Runtimes are registered per side: the worker service
-- uses runtime_type = 'action', the sensor service runtime_type = 'sensor'.
-- Refs therefore have three parts: <pack>.<action|sensor>.<name>.
CREATE TABLE runtime (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    description     TEXT,
    name            TEXT NOT NULL,
    distributions   JSONB NOT NULL DEFAULT '{}'::jsonb,
    installation    JSONB,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    verification    JSONB NOT NULL DEFAULT '{}'::jsonb,

    CONSTRAINT runtime_ref_lowercase CHECK (ref = LOWER(ref))
);

CREATE INDEX idx_runtime_pack ON runtime (pack);

CREATE INDEX idx_runtime_created ON runtime (created DESC);
CREATE INDEX idx_runtime_distributions ON runtime USING gin (distributions);

CREATE TRIGGER update_runtime_updated
    BEFORE UPDATE ON runtime
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE runtime IS 'Execution environment for actions and sensors (Python, Node.js, shell, native, built-in)';
COMMENT ON COLUMN runtime.ref IS 'Unique runtime reference: <pack>.<name> (e.g. core.python)';
COMMENT ON COLUMN runtime.pack IS 'Pack that provides this runtime; NULL for runtimes seeded before the pack is loaded';
COMMENT ON COLUMN runtime.pack_ref IS 'Ref of the providing pack, kept even while the pack row does not exist';

COMMENT ON COLUMN runtime.name IS 'Short runtime name, unique within its pack (python, nodejs, shell, native, sensor_builtin)';
COMMENT ON COLUMN runtime.distributions IS 'Supported versions and platforms';
COMMENT ON COLUMN runtime.installation IS 'How dependencies are installed for packs using this runtime (pip, npm, ...)';

CREATE INDEX idx_pack_installers ON pack USING gin (installers);

COMMENT ON COLUMN pack.installers IS
    'Ordered installer steps from pack.yaml: [{"runtime": "python", "type": "pip", "file": "requirements.txt"}, ...]';

CREATE INDEX idx_runtime_name ON runtime (name);
CREATE INDEX idx_runtime_verification ON runtime USING gin (verification);

COMMENT ON COLUMN runtime.verification IS
    'How a worker verifies the runtime: {"commands": [{"binary", "args", "exit_code", "pattern", "priority"}]} or {"always_available": true}';
