-- ============================================================================
-- Migration: Initial Setup
-- Version:   20250101000001
-- Date:      2025-01-01
--
-- Purpose:
--   Foundation for the Attune automation platform schema:
--     * PostgreSQL extensions used by later migrations
--     * every enum type shared by the core tables
--     * the shared "updated" timestamp trigger function
--
-- Notes:
--   * Only extensions that ship with stock PostgreSQL contrib are used.
--     UUIDs come from the built-in gen_random_uuid() (PostgreSQL 13+), so
--     neither uuid-ossp nor pgcrypto is required.
--   * Enum values are lower-case snake_case and map 1:1 onto the Rust enums
--     in attune-common (sqlx `#[sqlx(type_name = "...")]`).  Adding a value
--     later is cheap (ALTER TYPE ... ADD VALUE); removing one is not, so keep
--     these lists tight.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Extensions
-- ----------------------------------------------------------------------------

-- Trigram matching: fuzzy search on labels, refs and descriptions in the
-- web UI and CLI ("attune action list --search").
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- GIN operator classes for scalar types, so composite GIN indexes can mix
-- a scalar column with a JSONB / array column.
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Case-insensitive text for identity logins (alice == Alice).
CREATE EXTENSION IF NOT EXISTS citext;


-- ----------------------------------------------------------------------------
-- Enum types
-- ----------------------------------------------------------------------------

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

-- Which side of the platform a runtime serves.  Actions and sensors are
-- started by different services (worker vs. sensor service), so runtimes
-- are registered separately for each: core.action.python and
-- core.sensor.python are distinct rows.
CREATE TYPE runtime_type_enum AS ENUM (
    'action',
    'sensor'
);


-- ----------------------------------------------------------------------------
-- Shared trigger functions
-- ----------------------------------------------------------------------------

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
