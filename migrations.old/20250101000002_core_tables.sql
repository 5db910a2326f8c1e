-- ============================================================================
-- Migration: Core Tables
-- Version:   20250101000002
-- Date:      2025-01-01
--
-- Purpose:
--   The catalogue of automation content and the people allowed to use it:
--     pack, runtime                       - content packaging and interpreters
--     identity, permission_set,
--     permission_assignment, policy       - authentication, RBAC, concurrency
--     trigger, action, sensor             - the building blocks of a pack
--
-- Conventions (used by every later migration as well):
--   * id BIGSERIAL PRIMARY KEY; content objects also have a unique,
--     lower-case "ref" of the form <pack>.<name>
--   * a reference to another row is stored twice: the BIGINT foreign key
--     (<table>) and the denormalised ref (<table>_ref).  The ref survives
--     deletion of the target and is what the API returns.
--   * JSONB columns default to '{}'::jsonb (objects) or '[]'::jsonb (lists)
--     rather than NULL, so application code never has to special-case NULL
--   * created / updated TIMESTAMPTZ; updated is maintained by the
--     update_<table>_updated trigger (see update_updated_column()).
--
-- Creation order matters: trigger is created before sensor (sensor.trigger
-- references it).  policy.action is added as a constraint at the end of the
-- file, once the action table exists.
-- ============================================================================


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

    CONSTRAINT pack_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT pack_ref_format CHECK (ref ~ '^[a-z][a-z0-9_-]*$'),
    CONSTRAINT pack_version_semver CHECK (version ~ '^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$')
);

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
    runtime_type    runtime_type_enum NOT NULL,
    name            TEXT NOT NULL,
    distributions   JSONB NOT NULL DEFAULT '{}'::jsonb,
    installation    JSONB,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT runtime_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT runtime_ref_format CHECK (ref ~ '^[^.]+\.(action|sensor)\.[^.]+$')
);

CREATE INDEX idx_runtime_pack ON runtime (pack);
CREATE INDEX idx_runtime_type ON runtime (runtime_type);
CREATE INDEX idx_runtime_pack_type ON runtime (pack, runtime_type);
CREATE INDEX idx_runtime_type_created ON runtime (runtime_type, created DESC);
CREATE INDEX idx_runtime_type_sensor ON runtime (ref) WHERE runtime_type = 'sensor';
CREATE INDEX idx_runtime_created ON runtime (created DESC);
CREATE INDEX idx_runtime_distributions ON runtime USING gin (distributions);

CREATE TRIGGER update_runtime_updated
    BEFORE UPDATE ON runtime
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE runtime IS 'Execution environment for actions or sensors (Python, Node.js, shell, native, ...)';
COMMENT ON COLUMN runtime.ref IS 'Unique runtime reference: <pack>.<action|sensor>.<name> (e.g. core.action.python)';
COMMENT ON COLUMN runtime.pack IS 'Pack that provides this runtime; NULL for runtimes seeded before the pack is loaded';
COMMENT ON COLUMN runtime.pack_ref IS 'Ref of the providing pack, kept even while the pack row does not exist';
COMMENT ON COLUMN runtime.runtime_type IS 'Which service uses this runtime: action (worker) or sensor (sensor service)';
COMMENT ON COLUMN runtime.name IS 'Short runtime name (python, nodejs, shell, native)';
COMMENT ON COLUMN runtime.distributions IS 'Supported versions and how to detect them on a worker host';
COMMENT ON COLUMN runtime.installation IS 'How dependencies are installed for packs using this runtime (pip, npm, ...)';


-- ============================================================================
-- IDENTITY
-- ============================================================================
-- A user or service account.  Passwords are stored as Argon2id PHC strings
-- produced by the API service; service accounts have no password and
-- authenticate with API tokens only.

CREATE TABLE identity (
    id              BIGSERIAL PRIMARY KEY,
    login           CITEXT NOT NULL UNIQUE,
    display_name    TEXT,
    password_hash   TEXT,
    attributes      JSONB NOT NULL DEFAULT '{}'::jsonb,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT identity_login_not_blank CHECK (LENGTH(TRIM(login)) > 0),
    CONSTRAINT identity_password_hash_format CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%')
);

CREATE INDEX idx_identity_created ON identity (created DESC);
CREATE INDEX idx_identity_attributes ON identity USING gin (attributes);
CREATE INDEX idx_identity_display_name_trgm ON identity USING gin (display_name gin_trgm_ops);

CREATE TRIGGER update_identity_updated
    BEFORE UPDATE ON identity
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE identity IS 'Users and service accounts that authenticate against the API';
COMMENT ON COLUMN identity.login IS 'Unique, case-insensitive login name';
COMMENT ON COLUMN identity.display_name IS 'Name shown in the UI and audit log';
COMMENT ON COLUMN identity.password_hash IS 'Argon2id PHC string; NULL for service accounts (token-only)';
COMMENT ON COLUMN identity.attributes IS 'Extra attributes (email, team, SSO subject, ...)';


-- ============================================================================
-- PERMISSION_SET
-- ============================================================================
-- A named, reusable group of grants (a role).  Packs can ship permission
-- sets (e.g. "slack.operator"); system sets have no pack.

CREATE TABLE permission_set (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    label           TEXT,
    description     TEXT,
    grants          JSONB NOT NULL DEFAULT '[]'::jsonb,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT permission_set_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT permission_set_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT permission_set_grants_is_array CHECK (jsonb_typeof(grants) = 'array')
);

CREATE INDEX idx_permission_set_pack ON permission_set (pack);
CREATE INDEX idx_permission_set_created ON permission_set (created DESC);
CREATE INDEX idx_permission_set_grants ON permission_set USING gin (grants);

CREATE TRIGGER update_permission_set_updated
    BEFORE UPDATE ON permission_set
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE permission_set IS 'Named group of permission grants (a role)';
COMMENT ON COLUMN permission_set.ref IS 'Unique reference: <pack>.<name> (e.g. core.admin)';
COMMENT ON COLUMN permission_set.pack IS 'Pack that ships this permission set; NULL for system-defined sets';
COMMENT ON COLUMN permission_set.label IS 'Human-readable name shown in the UI';
COMMENT ON COLUMN permission_set.grants IS 'Array of grant objects: [{"resource": "action", "actions": ["read", "execute"], "refs": ["core.*"]}]';


-- ============================================================================
-- PERMISSION_ASSIGNMENT
-- ============================================================================
-- Which identity holds which permission set.

CREATE TABLE permission_assignment (
    id              BIGSERIAL PRIMARY KEY,
    identity        BIGINT NOT NULL REFERENCES identity(id) ON DELETE CASCADE,
    permission_set  BIGINT NOT NULL REFERENCES permission_set(id) ON DELETE CASCADE,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT permission_assignment_unique UNIQUE (identity, permission_set)
);

CREATE INDEX idx_permission_assignment_identity ON permission_assignment (identity);
CREATE INDEX idx_permission_assignment_permset ON permission_assignment (permission_set);
CREATE INDEX idx_permission_assignment_created ON permission_assignment (created DESC);

CREATE TRIGGER update_permission_assignment_updated
    BEFORE UPDATE ON permission_assignment
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE permission_assignment IS 'Grants a permission set to an identity';
COMMENT ON COLUMN permission_assignment.identity IS 'Identity receiving the permissions';
COMMENT ON COLUMN permission_assignment.permission_set IS 'Permission set being granted';


-- ============================================================================
-- POLICY
-- ============================================================================
-- Concurrency policy for an action: at most <threshold> executions at a
-- time, optionally per combination of the listed parameters.  The foreign
-- key to action is added at the end of this file.

CREATE TABLE policy (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    action          BIGINT,
    action_ref      TEXT,
    parameters      TEXT[] NOT NULL DEFAULT '{}',
    method          policy_method_enum NOT NULL,
    threshold       INTEGER NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    tags            TEXT[] NOT NULL DEFAULT '{}',
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT policy_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT policy_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT policy_threshold_positive CHECK (threshold > 0)
);

CREATE INDEX idx_policy_pack ON policy (pack);
CREATE INDEX idx_policy_action ON policy (action);
CREATE INDEX idx_policy_action_ref ON policy (action_ref);
CREATE INDEX idx_policy_created ON policy (created DESC);
CREATE INDEX idx_policy_tags ON policy USING gin (tags);

CREATE TRIGGER update_policy_updated
    BEFORE UPDATE ON policy
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE policy IS 'Concurrency policy limiting simultaneous executions of an action';
COMMENT ON COLUMN policy.ref IS 'Unique policy reference: <pack>.<name>';
COMMENT ON COLUMN policy.pack IS 'Pack that ships this policy';
COMMENT ON COLUMN policy.action IS 'Action the policy applies to';
COMMENT ON COLUMN policy.parameters IS 'Action parameters whose values partition the limit (empty = one global limit)';
COMMENT ON COLUMN policy.method IS 'What happens when the threshold is reached: cancel or enqueue';
COMMENT ON COLUMN policy.threshold IS 'Maximum number of concurrent executions';
COMMENT ON COLUMN policy.tags IS 'Tags for discovery and filtering';


-- ============================================================================
-- TRIGGER
-- ============================================================================
-- A type of event that can start automation (e.g. core.intervaltimer,
-- github.push).  Sensors emit events of a trigger type; rules match them.

CREATE TABLE trigger (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    label           TEXT NOT NULL,
    description     TEXT,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema    JSONB,
    out_schema      JSONB,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT trigger_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT trigger_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$')
);

CREATE INDEX idx_trigger_pack ON trigger (pack);
CREATE INDEX idx_trigger_enabled ON trigger (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_trigger_created ON trigger (created DESC);
CREATE INDEX idx_trigger_pack_enabled ON trigger (pack, enabled);
CREATE INDEX idx_trigger_label_trgm ON trigger USING gin (label gin_trgm_ops);

CREATE TRIGGER update_trigger_updated
    BEFORE UPDATE ON trigger
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE trigger IS 'Event type that can start automation (timer, webhook, external system event)';
COMMENT ON COLUMN trigger.ref IS 'Unique trigger reference: <pack>.<name> (e.g. core.intervaltimer)';
COMMENT ON COLUMN trigger.pack IS 'Pack that defines this trigger';
COMMENT ON COLUMN trigger.label IS 'Human-readable name shown in the UI';
COMMENT ON COLUMN trigger.enabled IS 'Disabled triggers are ignored by the rule engine';
COMMENT ON COLUMN trigger.param_schema IS 'JSON Schema for trigger parameters set on a rule (e.g. the timer interval)';
COMMENT ON COLUMN trigger.out_schema IS 'JSON Schema of the event payload this trigger produces';


-- ============================================================================
-- ACTION
-- ============================================================================
-- A unit of work: a script or binary run by a worker in a runtime.

CREATE TABLE action (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT,
    entrypoint      TEXT NOT NULL,
    runtime         BIGINT REFERENCES runtime(id) ON DELETE SET NULL,
    param_schema    JSONB,
    out_schema      JSONB,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    timeout_seconds INTEGER,
    tags            TEXT[] NOT NULL DEFAULT '{}',
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT action_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT action_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT action_timeout_positive CHECK (timeout_seconds IS NULL OR timeout_seconds > 0)
);

CREATE INDEX idx_action_pack ON action (pack);
CREATE INDEX idx_action_runtime ON action (runtime);
CREATE INDEX idx_action_pack_ref ON action (pack_ref);
CREATE INDEX idx_action_enabled ON action (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_action_created ON action (created DESC);
CREATE INDEX idx_action_tags ON action USING gin (tags);
CREATE INDEX idx_action_label_trgm ON action USING gin (label gin_trgm_ops);
CREATE INDEX idx_action_description_trgm ON action USING gin (description gin_trgm_ops);

CREATE TRIGGER update_action_updated
    BEFORE UPDATE ON action
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE action IS 'Executable unit of work run by a worker';
COMMENT ON COLUMN action.ref IS 'Unique action reference: <pack>.<name> (e.g. core.http)';
COMMENT ON COLUMN action.pack IS 'Pack that defines this action';
COMMENT ON COLUMN action.pack_ref IS 'Ref of the defining pack';
COMMENT ON COLUMN action.entrypoint IS 'Script or binary to run, relative to the pack''s actions/ directory';
COMMENT ON COLUMN action.runtime IS 'Runtime the entrypoint runs in; NULL falls back to the pack default';
COMMENT ON COLUMN action.param_schema IS 'JSON Schema for action parameters';
COMMENT ON COLUMN action.out_schema IS 'JSON Schema for the action result';
COMMENT ON COLUMN action.timeout_seconds IS 'Hard timeout; NULL uses the worker default';
COMMENT ON COLUMN action.enabled IS 'Disabled actions cannot be executed, manually or by rules';
COMMENT ON COLUMN action.tags IS 'Tags for discovery and filtering';


-- ============================================================================
-- SENSOR
-- ============================================================================
-- A long-running process that watches something and emits events of one
-- trigger type.  Runs in the sensor service.

CREATE TABLE sensor (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    label           TEXT NOT NULL,
    description     TEXT NOT NULL,
    entrypoint      TEXT NOT NULL,
    runtime         BIGINT NOT NULL REFERENCES runtime(id),
    runtime_ref     TEXT NOT NULL,
    trigger         BIGINT NOT NULL REFERENCES trigger(id) ON DELETE CASCADE,
    trigger_ref     TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema    JSONB,
    config          JSONB NOT NULL DEFAULT '{}'::jsonb,
    poll_interval   INTEGER,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT sensor_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT sensor_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT sensor_poll_interval_positive CHECK (poll_interval IS NULL OR poll_interval > 0)
);

CREATE INDEX idx_sensor_pack ON sensor (pack);
CREATE INDEX idx_sensor_runtime ON sensor (runtime);
CREATE INDEX idx_sensor_trigger ON sensor (trigger);
CREATE INDEX idx_sensor_trigger_ref ON sensor (trigger_ref);
CREATE INDEX idx_sensor_enabled ON sensor (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_sensor_created ON sensor (created DESC);
CREATE INDEX idx_sensor_config ON sensor USING gin (config);

CREATE TRIGGER update_sensor_updated
    BEFORE UPDATE ON sensor
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE sensor IS 'Long-running watcher that emits events of one trigger type';
COMMENT ON COLUMN sensor.ref IS 'Unique sensor reference: <pack>.<name>';
COMMENT ON COLUMN sensor.pack IS 'Pack that defines this sensor';
COMMENT ON COLUMN sensor.entrypoint IS 'Script or binary to start, relative to the pack''s sensors/ directory';
COMMENT ON COLUMN sensor.runtime IS 'Sensor runtime the entrypoint runs in (runtime_type = sensor)';
COMMENT ON COLUMN sensor.runtime_ref IS 'Runtime ref at registration time';
COMMENT ON COLUMN sensor.trigger IS 'Trigger type of the events this sensor emits';
COMMENT ON COLUMN sensor.trigger_ref IS 'Trigger ref at registration time';
COMMENT ON COLUMN sensor.config IS 'Sensor configuration passed to the entrypoint on start';
COMMENT ON COLUMN sensor.poll_interval IS 'Seconds between polls for polling sensors; NULL for push sensors';
COMMENT ON COLUMN sensor.enabled IS 'Disabled sensors are not started by the sensor service';


-- ============================================================================
-- Deferred foreign keys
-- ============================================================================

-- policy is created before action (policies are part of the auth/limits
-- group above), so its action foreign key is attached here.
ALTER TABLE policy
    ADD CONSTRAINT policy_action_fkey FOREIGN KEY (action) REFERENCES action(id) ON DELETE CASCADE;
