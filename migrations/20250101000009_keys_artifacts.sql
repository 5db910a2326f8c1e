-- 20250101000009_keys_artifacts.sql
-- Key, artifact
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000005_supporting_tables.sql

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
