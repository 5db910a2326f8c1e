-- ============================================================================
-- Migration: Consolidate Workflow Task Execution
-- Version:   20260127212500
-- Date:      2026-01-27
--
-- Purpose:
--   Fold workflow_task_execution into execution.  Every task row was 1:1
--   with an execution row, so the executions page needed a join (and a
--   second query per task for retries) to show anything workflow-related.
--   Task bookkeeping now lives on the execution itself:
--
--     execution.is_workflow   - TRUE for the execution that represents a
--                               whole workflow run
--     execution.workflow_def  - the workflow definition it runs
--     execution.workflow_task - for task executions: task name, index,
--                               batch, retry and timeout state (JSONB)
--
--   workflow_execution (scheduler state of the whole run) is unchanged.
--
-- Data:
--   Existing rows are copied before the table is dropped.  The UPDATEs
--   change neither status nor result, so execution_change_notify
--   (20260119000001) stays silent during the backfill.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- New columns
-- ----------------------------------------------------------------------------

ALTER TABLE execution
    ADD COLUMN is_workflow BOOLEAN DEFAULT false NOT NULL,
    ADD COLUMN workflow_def BIGINT REFERENCES workflow_definition(id) ON DELETE SET NULL,
    ADD COLUMN workflow_task JSONB;

COMMENT ON COLUMN execution.is_workflow IS 'True if this execution is a workflow run (its tasks are child executions)';
COMMENT ON COLUMN execution.workflow_def IS 'Workflow definition run by this execution (workflow runs only)';
COMMENT ON COLUMN execution.workflow_task IS
    'Task metadata for executions that are workflow tasks: {"workflow_execution", "task_name", "task_index", "task_batch", "retry_count", "max_retries", "next_retry_at", "timeout_seconds", "timed_out", "duration_ms"}';


-- ----------------------------------------------------------------------------
-- Backfill
-- ----------------------------------------------------------------------------

-- Workflow runs
UPDATE execution e
SET is_workflow = TRUE,
    workflow_def = we.workflow_def
FROM workflow_execution we
WHERE we.execution = e.id;

-- Workflow tasks
UPDATE execution e
SET workflow_task = jsonb_strip_nulls(jsonb_build_object(
        'workflow_execution', wte.workflow_execution,
        'task_name',          wte.task_name,
        'task_index',         wte.task_index,
        'task_batch',         wte.task_batch,
        'retry_count',        wte.retry_count,
        'max_retries',        wte.max_retries,
        'next_retry_at',      wte.next_retry_at,
        'timeout_seconds',    wte.timeout_seconds,
        'timed_out',          wte.timed_out,
        'duration_ms',        wte.duration_ms
    )),
    started_at = COALESCE(e.started_at, wte.started_at),
    completed_at = COALESCE(e.completed_at, wte.completed_at)
FROM workflow_task_execution wte
WHERE wte.execution = e.id;


-- ----------------------------------------------------------------------------
-- Indexes
-- ----------------------------------------------------------------------------

CREATE INDEX idx_execution_is_workflow ON execution (is_workflow) WHERE is_workflow = TRUE;
CREATE INDEX idx_execution_workflow_def ON execution (workflow_def);
CREATE INDEX idx_execution_workflow_task ON execution USING gin (workflow_task) WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_parent_created ON execution (parent, created) WHERE parent IS NOT NULL;


-- ----------------------------------------------------------------------------
-- Drop the old table
-- ----------------------------------------------------------------------------
-- Its indexes (idx_wf_task_exec_*) and update_workflow_task_execution_updated
-- trigger are dropped with it.

DROP TABLE IF EXISTS workflow_task_execution;
