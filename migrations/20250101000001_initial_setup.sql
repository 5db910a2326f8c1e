-- 20250101000001_initial_setup.sql
-- Enums, extensions (minus runtime_type_enum, plus worker_role_enum and pack_environment_status_enum)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000001_initial_setup.sql
--   20260122000001_pack_installation_metadata.sql
--   20260131000001_add_worker_role.sql

-- Trigram matching: fuzzy search on labels, refs and descriptions in the
-- web UI and CLI ("attune action list --search").
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- GIN operator classes for scalar types, so composite GIN indexes can mix
-- a scalar column with a JSONB / array column.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Case-insensitive text for identity logins (alice == Alice).
CREATE EXTENSION IF NOT EXISTS citext;

-- How a worker process is deployed.
--   local     - runs on the same host as the executor service
--   remote    - a separate host that registers itself over the message bus
--   container - an ephemeral container started per execution batch
CREATE TYPE worker_type_enum AS ENUM (
    'local',
    'remote',
    'container'
);

-- Health of a registered worker, driven by heartbeats.
CREATE TYPE worker_status_enum AS ENUM (
    'active',
    'inactive',
    'busy',
    'error'
);

-- Lifecycle of an enforcement (a rule firing for one event).
--   created   - the rule matched, nothing scheduled yet
--   processed - the executor picked it up and created the execution
--   disabled  - the rule was disabled before the enforcement was processed
CREATE TYPE enforcement_status_enum AS ENUM (
    'created',
    'processed',
    'disabled'
);

-- How the conditions of a rule are combined.
CREATE TYPE enforcement_condition_enum AS ENUM (
    'any',
    'all'
);

-- Lifecycle of an execution.  Also reused by workflow_execution and
-- workflow_task_execution so that one status vocabulary covers everything
-- the UI shows on the executions page.
CREATE TYPE execution_status_enum AS ENUM (
    'requested',
    'scheduling',
    'scheduled',
    'running',
    'completed',
    'failed',
    'canceling',
    'cancelled',
    'timeout',
    'abandoned'
);

-- Lifecycle of a human-in-the-loop inquiry.
CREATE TYPE inquiry_status_enum AS ENUM (
    'pending',
    'responded',
    'timeout',
    'cancelled'
);

-- What a concurrency policy does when its threshold is reached.
--   cancel  - new executions are cancelled immediately
--   enqueue - new executions wait until a slot frees up
CREATE TYPE policy_method_enum AS ENUM (
    'cancel',
    'enqueue'
);

-- Who owns a key (secret / datastore value) or the scope of an artifact.
CREATE TYPE owner_type_enum AS ENUM (
    'system',
    'identity',
    'pack',
    'action',
    'sensor'
);

-- Kind of artifact produced by an execution.
CREATE TYPE artifact_type_enum AS ENUM (
    'file_binary',
    'file_datatable',
    'file_image',
    'file_text',
    'other',
    'progress',
    'url'
);

-- How old versions of an artifact are pruned.
--   versions - keep the newest N versions
--   days / hours / minutes - keep versions younger than N units
CREATE TYPE artifact_retention_enum AS ENUM (
    'versions',
    'days',
    'hours',
    'minutes'
);

-- Every table carries "created" and "updated" TIMESTAMPTZ columns.  "created"
-- is filled by its column default; "updated" is maintained by this function,
-- attached to each table as a BEFORE UPDATE trigger named
-- update_<table>_updated.
CREATE OR REPLACE FUNCTION update_updated_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION update_updated_column() IS
    'Trigger function: sets NEW.updated to NOW() on every UPDATE. Attached as update_<table>_updated.';

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

-- What a worker runs.
--   action - executes actions only (all workers before this migration)
--   sensor - runs sensors only
--   hybrid - both
CREATE TYPE worker_role_enum AS ENUM (
    'action',
    'sensor',
    'hybrid'
);
