-- 20250101000008_worker_notification.sql
-- Worker (with worker_role), notification
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000005_supporting_tables.sql
--   20260131000001_add_worker_role.sql

-- ============================================================================
-- WORKER
-- ============================================================================
CREATE TABLE worker (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    worker_type     worker_type_enum NOT NULL,
    runtime         BIGINT REFERENCES runtime(id) ON DELETE SET NULL,
    host            TEXT,
    port            INTEGER,
    status          worker_status_enum NOT NULL DEFAULT 'inactive',
    capabilities    JSONB NOT NULL DEFAULT '{}'::jsonb,
    meta            JSONB NOT NULL DEFAULT '{}'::jsonb,
    last_heartbeat  TIMESTAMPTZ,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    worker_role     worker_role_enum NOT NULL DEFAULT 'action',

    CONSTRAINT worker_port_range CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
    CONSTRAINT worker_remote_has_host CHECK (worker_type <> 'remote' OR host IS NOT NULL)
);

CREATE INDEX idx_worker_type ON worker (worker_type);
CREATE INDEX idx_worker_runtime ON worker (runtime);
CREATE INDEX idx_worker_status ON worker (status);
CREATE INDEX idx_worker_type_status ON worker (worker_type, status);
CREATE INDEX idx_worker_heartbeat_active ON worker (last_heartbeat) WHERE status = 'active';
CREATE INDEX idx_worker_created ON worker (created DESC);
CREATE INDEX idx_worker_capabilities ON worker USING gin (capabilities);

CREATE TRIGGER update_worker_updated
    BEFORE UPDATE ON worker
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE worker IS 'Worker process registered with the platform';
COMMENT ON COLUMN worker.name IS 'Unique worker name (defaults to <hostname>-<pid>)';
COMMENT ON COLUMN worker.worker_type IS 'Deployment kind: local, remote or container';
COMMENT ON COLUMN worker.runtime IS 'Runtime the worker is dedicated to; NULL serves every runtime it has';
COMMENT ON COLUMN worker.host IS 'Host name or address the worker reported; required for remote workers';
COMMENT ON COLUMN worker.port IS 'Port of the worker''s control endpoint, if it exposes one';
COMMENT ON COLUMN worker.status IS 'Health, driven by heartbeats and the executor';
COMMENT ON COLUMN worker.capabilities IS 'What the worker can run: {"runtimes": ["python", "shell"], "max_concurrent": 10}';
COMMENT ON COLUMN worker.last_heartbeat IS 'Last heartbeat; workers silent for 3 intervals are marked inactive';
COMMENT ON COLUMN worker.meta IS 'Reported host facts (OS, architecture, worker version)';

-- ============================================================================
-- NOTIFICATION
-- ============================================================================
CREATE TABLE notification (
    id              BIGSERIAL PRIMARY KEY,
    channel         TEXT NOT NULL,
    entity_type     TEXT NOT NULL,
    entity          TEXT NOT NULL,
    activity        TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'created',
    content         JSONB,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT notification_state_valid CHECK (state IN ('created', 'queued', 'processing', 'delivered', 'error'))
);

CREATE INDEX idx_notification_channel ON notification (channel);
CREATE INDEX idx_notification_entity ON notification (entity_type, entity);
CREATE INDEX idx_notification_state ON notification (state);
CREATE INDEX idx_notification_created ON notification (created DESC);
CREATE INDEX idx_notification_undelivered ON notification (created) WHERE state IN ('created', 'queued');
CREATE INDEX idx_notification_content ON notification USING gin (content);

CREATE TRIGGER update_notification_updated
    BEFORE UPDATE ON notification
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE notification IS 'Outbox of change notifications delivered to the UI and notifier service';
COMMENT ON COLUMN notification.channel IS 'Delivery channel (websocket topic, e.g. "executions")';
COMMENT ON COLUMN notification.entity_type IS 'Kind of entity that changed (execution, inquiry, ...)';
COMMENT ON COLUMN notification.entity IS 'Id or ref of the entity that changed';
COMMENT ON COLUMN notification.activity IS 'What happened (created, updated, status_changed, ...)';
COMMENT ON COLUMN notification.state IS 'Delivery state: created, queued, processing, delivered, error';
COMMENT ON COLUMN notification.content IS 'Notification body';

CREATE INDEX idx_worker_role ON worker (worker_role);
CREATE INDEX idx_worker_role_status ON worker (worker_role, status);

COMMENT ON COLUMN worker.worker_role IS 'What the worker runs: action, sensor or hybrid (both)';
