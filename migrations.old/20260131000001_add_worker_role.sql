-- ============================================================================
-- Migration: Add Worker Role
-- Version:   20260131000001
-- Date:      2026-01-31
--
-- Purpose:
--   Sensors are moving out of the monolithic sensor service into workers,
--   so a worker can now run actions, sensors, or both.  The scheduler
--   uses the role to pick candidate workers; the worker reports it on
--   registration.
--
-- Changes:
--   * worker_role_enum ('action', 'sensor', 'hybrid')
--   * worker.worker_role, default 'action' (every existing worker only
--     runs actions)
-- ============================================================================


-- What a worker runs.
--   action - executes actions only (all workers before this migration)
--   sensor - runs sensors only
--   hybrid - both
CREATE TYPE worker_role_enum AS ENUM (
    'action',
    'sensor',
    'hybrid'
);

ALTER TABLE worker ADD COLUMN worker_role worker_role_enum NOT NULL DEFAULT 'action';

CREATE INDEX idx_worker_role ON worker (worker_role);
CREATE INDEX idx_worker_role_status ON worker (worker_role, status);

COMMENT ON COLUMN worker.worker_role IS 'What the worker runs: action, sensor or hybrid (both)';
