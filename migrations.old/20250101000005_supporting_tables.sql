-- ============================================================================
-- Migration: Supporting Tables
-- Version:   20250101000005
-- Date:      2025-01-01
--
-- Purpose:
--   Infrastructure around the core pipeline:
--     worker             - registered worker processes and their health
--     notification       - outbox of change notifications for the UI and
--                          the notifier service
--     key                - secrets and datastore values, scoped to an owner
--     artifact           - files, URLs and progress produced by executions
--     pack_test_results  - results of a pack's test suite, run on install
-- ============================================================================


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


-- ============================================================================
-- KEY
-- ============================================================================
-- A secret or plain datastore value.  Exactly one owner column matching
-- owner_type is set (system keys have none).  Encrypted values hold
-- base64(nonce || AES-256-GCM ciphertext); the key itself never touches the
-- database, only a hash that identifies which key was used.

CREATE TABLE key (
    id                  BIGSERIAL PRIMARY KEY,
    ref                 TEXT NOT NULL UNIQUE,
    owner_type          owner_type_enum NOT NULL,
    owner               TEXT,
    owner_identity      BIGINT REFERENCES identity(id) ON DELETE CASCADE,
    owner_pack          BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    owner_pack_ref      TEXT,
    owner_action        BIGINT REFERENCES action(id) ON DELETE CASCADE,
    owner_action_ref    TEXT,
    owner_sensor        BIGINT REFERENCES sensor(id) ON DELETE CASCADE,
    owner_sensor_ref    TEXT,
    name                TEXT NOT NULL,
    encrypted           BOOLEAN NOT NULL,
    encryption_key_hash TEXT,
    value               TEXT NOT NULL,
    created             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT key_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT key_ref_format CHECK (ref ~ '^([^.]+\.)?[^.]+$'),
    CONSTRAINT key_owner_identity_set CHECK (owner_type <> 'identity' OR owner_identity IS NOT NULL),
    CONSTRAINT key_owner_pack_set CHECK (owner_type <> 'pack' OR owner_pack IS NOT NULL),
    CONSTRAINT key_owner_action_set CHECK (owner_type <> 'action' OR owner_action IS NOT NULL),
    CONSTRAINT key_owner_sensor_set CHECK (owner_type <> 'sensor' OR owner_sensor IS NOT NULL),
    CONSTRAINT key_encryption_hash_set CHECK (NOT encrypted OR encryption_key_hash IS NOT NULL),
    CONSTRAINT key_owner_name_unique UNIQUE (owner_type, owner, name)
);

CREATE INDEX idx_key_owner_type ON key (owner_type);
CREATE INDEX idx_key_owner_identity ON key (owner_identity);
CREATE INDEX idx_key_owner_pack ON key (owner_pack);
CREATE INDEX idx_key_owner_action ON key (owner_action);
CREATE INDEX idx_key_owner_sensor ON key (owner_sensor);
CREATE INDEX idx_key_name ON key (name);
CREATE INDEX idx_key_encrypted ON key (encrypted) WHERE encrypted = TRUE;
CREATE INDEX idx_key_created ON key (created DESC);

CREATE TRIGGER update_key_updated
    BEFORE UPDATE ON key
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE key IS 'Secrets and datastore values, scoped to the system, an identity, a pack, an action or a sensor';
COMMENT ON COLUMN key.ref IS 'Unique key reference: [<owner>.]<name>';
COMMENT ON COLUMN key.owner_type IS 'Scope of the key; selects which owner_* column is set';
COMMENT ON COLUMN key.owner IS 'Owner ref as text (login, pack ref, action ref, ...); NULL for system keys';
COMMENT ON COLUMN key.owner_identity IS 'Owning identity (owner_type = identity)';
COMMENT ON COLUMN key.owner_pack IS 'Owning pack (owner_type = pack)';
COMMENT ON COLUMN key.owner_action IS 'Owning action (owner_type = action)';
COMMENT ON COLUMN key.owner_sensor IS 'Owning sensor (owner_type = sensor)';
COMMENT ON COLUMN key.name IS 'Key name, unique per owner';
COMMENT ON COLUMN key.encrypted IS 'True if value is encrypted; secrets are never returned in plain text by the API';
COMMENT ON COLUMN key.encryption_key_hash IS 'SHA-256 of the encryption key used, to detect key rotation';
COMMENT ON COLUMN key.value IS 'Plain value, or base64(nonce || ciphertext) when encrypted';


-- ============================================================================
-- ARTIFACT
-- ============================================================================

CREATE TABLE artifact (
    id                  BIGSERIAL PRIMARY KEY,
    ref                 TEXT NOT NULL,
    scope               owner_type_enum NOT NULL DEFAULT 'system',
    owner               TEXT NOT NULL DEFAULT '',
    type                artifact_type_enum NOT NULL,
    execution           BIGINT REFERENCES execution(id) ON DELETE SET NULL,
    retention_policy    artifact_retention_enum NOT NULL DEFAULT 'versions',
    retention_limit     INTEGER NOT NULL DEFAULT 1,
    data                JSONB,
    created             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT artifact_retention_limit_positive CHECK (retention_limit > 0)
);

CREATE INDEX idx_artifact_ref ON artifact (ref);
CREATE INDEX idx_artifact_scope_owner ON artifact (scope, owner);
CREATE INDEX idx_artifact_type ON artifact (type);
CREATE INDEX idx_artifact_execution ON artifact (execution);
CREATE INDEX idx_artifact_ref_created ON artifact (ref, created DESC);
CREATE INDEX idx_artifact_created ON artifact (created DESC);
CREATE INDEX idx_artifact_ref_trgm ON artifact USING gin (ref gin_trgm_ops);

CREATE TRIGGER update_artifact_updated
    BEFORE UPDATE ON artifact
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE artifact IS 'File, URL or progress record produced by an execution; one row per version';
COMMENT ON COLUMN artifact.ref IS 'Artifact reference; rows sharing a ref are versions of one artifact';
COMMENT ON COLUMN artifact.scope IS 'Visibility scope of the artifact';
COMMENT ON COLUMN artifact.owner IS 'Owner within the scope (empty string for system scope)';
COMMENT ON COLUMN artifact.type IS 'Kind of artifact (file, url, progress, ...)';
COMMENT ON COLUMN artifact.execution IS 'Execution that produced this version';
COMMENT ON COLUMN artifact.retention_policy IS 'How old versions are pruned: by count or by age';
COMMENT ON COLUMN artifact.retention_limit IS 'Number of versions, or age in the policy''s unit, to keep';
COMMENT ON COLUMN artifact.data IS 'Type-specific data: {"path": ...}, {"url": ...}, {"percent": 42}';


-- ============================================================================
-- PACK_TEST_RESULTS
-- ============================================================================
-- A pack may ship a test suite (tests/ in the pack); it is run when the
-- pack is installed or updated, and on demand.  One row per run.

CREATE TABLE pack_test_results (
    id              BIGSERIAL PRIMARY KEY,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_version    TEXT NOT NULL,
    execution_time  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    trigger_reason  TEXT NOT NULL,
    total_tests     INTEGER NOT NULL,
    passed          INTEGER NOT NULL,
    failed          INTEGER NOT NULL,
    skipped         INTEGER NOT NULL,
    pass_rate       NUMERIC(5, 4) NOT NULL,
    duration_ms     BIGINT NOT NULL,
    result          JSONB NOT NULL,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT pack_test_results_reason_valid CHECK (trigger_reason IN ('install', 'update', 'manual', 'validation')),
    CONSTRAINT pack_test_results_counts_non_negative CHECK (total_tests >= 0 AND passed >= 0 AND failed >= 0 AND skipped >= 0),
    CONSTRAINT pack_test_results_counts_add_up CHECK (passed + failed + skipped = total_tests),
    CONSTRAINT pack_test_results_pass_rate_range CHECK (pass_rate >= 0 AND pass_rate <= 1),
    CONSTRAINT pack_test_results_duration_non_negative CHECK (duration_ms >= 0)
);

CREATE INDEX idx_pack_test_results_pack ON pack_test_results (pack);
CREATE INDEX idx_pack_test_results_time ON pack_test_results (execution_time DESC);
CREATE INDEX idx_pack_test_results_pack_time ON pack_test_results (pack, execution_time DESC);
CREATE INDEX idx_pack_test_results_pack_version ON pack_test_results (pack, pack_version);
CREATE INDEX idx_pack_test_results_failures ON pack_test_results (pack, execution_time DESC) WHERE failed > 0;

CREATE TRIGGER update_pack_test_results_updated
    BEFORE UPDATE ON pack_test_results
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE pack_test_results IS 'One run of a pack''s test suite';
COMMENT ON COLUMN pack_test_results.pack IS 'Pack that was tested';
COMMENT ON COLUMN pack_test_results.pack_version IS 'Pack version at the time of the run';
COMMENT ON COLUMN pack_test_results.execution_time IS 'When the test run started';
COMMENT ON COLUMN pack_test_results.trigger_reason IS 'Why the tests ran: install, update, manual or validation';
COMMENT ON COLUMN pack_test_results.total_tests IS 'Number of tests discovered (passed + failed + skipped)';
COMMENT ON COLUMN pack_test_results.pass_rate IS 'passed / total_tests (1.0 when there are no tests)';
COMMENT ON COLUMN pack_test_results.duration_ms IS 'Wall-clock duration of the whole run in milliseconds';
COMMENT ON COLUMN pack_test_results.result IS 'Full structured result: per-suite and per-test outcomes with output';
