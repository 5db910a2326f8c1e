-- 20250101000011_pack_environments.sql
-- Pack_environment table
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20260122000001_pack_installation_metadata.sql

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
