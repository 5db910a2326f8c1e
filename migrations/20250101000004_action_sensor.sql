-- 20250101000004_action_sensor.sql
-- Action, sensor (both with is_adhoc)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000002_core_tables.sql
--   20260129140130_add_is_adhoc_flag.sql
--   20260203000001_unify_runtimes.sql

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
    is_adhoc        BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT action_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT action_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT action_timeout_positive CHECK (timeout_seconds IS NULL OR timeout_seconds > 0)
);

-- Foreign key policy_action_fkey on policy: added here, where action exists (policy is created in 20250101000002_identity_and_auth.sql).
ALTER TABLE policy
    ADD CONSTRAINT policy_action_fkey FOREIGN KEY (action) REFERENCES action(id) ON DELETE CASCADE;

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
    trigger         BIGINT NOT NULL,
    trigger_ref     TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema    JSONB,
    config          JSONB NOT NULL DEFAULT '{}'::jsonb,
    poll_interval   INTEGER,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    is_adhoc        BOOLEAN NOT NULL DEFAULT false,

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
COMMENT ON COLUMN sensor.runtime IS 'Runtime the sensor entrypoint runs in (any runtime: there are no sensor-only runtimes any more)';
COMMENT ON COLUMN sensor.runtime_ref IS 'Runtime ref at registration time';
COMMENT ON COLUMN sensor.trigger IS 'Trigger type of the events this sensor emits';
COMMENT ON COLUMN sensor.trigger_ref IS 'Trigger ref at registration time';
COMMENT ON COLUMN sensor.config IS 'Sensor configuration passed to the entrypoint on start';
COMMENT ON COLUMN sensor.poll_interval IS 'Seconds between polls for polling sensors; NULL for push sensors';
COMMENT ON COLUMN sensor.enabled IS 'Disabled sensors are not started by the sensor service';

CREATE INDEX idx_action_is_adhoc ON action (is_adhoc) WHERE is_adhoc = true;
CREATE INDEX idx_sensor_is_adhoc ON sensor (is_adhoc) WHERE is_adhoc = true;

COMMENT ON COLUMN action.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';
COMMENT ON COLUMN sensor.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';
