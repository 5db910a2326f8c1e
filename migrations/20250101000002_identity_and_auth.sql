-- 20250101000002_identity_and_auth.sql
-- Identity, permission_set, permission_assignment, policy
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000002_core_tables.sql

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
    pack            BIGINT,
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
    pack            BIGINT,
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
