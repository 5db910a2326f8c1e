-- ============================================================================
-- Migration: Execution System
-- Version:   20250101000004
-- Date:      2025-01-01
--
-- Purpose:
--   Everything that runs:
--     execution                - one run of an action (manual, rule-driven
--                                or a step of a workflow)
--     inquiry                  - a pause in an execution waiting for a human
--     workflow_definition      - a workflow (DAG of tasks) shipped by a pack
--     workflow_execution       - the state of one running workflow
--     workflow_task_execution  - one task of a running workflow and the
--                                execution that performs it
--
-- Status values for executions, workflows and workflow tasks all come from
-- execution_status_enum (20250101000001).
-- ============================================================================


-- ============================================================================
-- EXECUTION
-- ============================================================================

CREATE TABLE execution (
    id              BIGSERIAL PRIMARY KEY,
    action          BIGINT REFERENCES action(id) ON DELETE SET NULL,
    action_ref      TEXT NOT NULL,
    config          JSONB,
    parent          BIGINT REFERENCES execution(id) ON DELETE SET NULL,
    enforcement     BIGINT REFERENCES enforcement(id) ON DELETE SET NULL,
    executor        BIGINT REFERENCES identity(id) ON DELETE SET NULL,
    status          execution_status_enum NOT NULL DEFAULT 'requested',
    result          JSONB,
    started_at      TIMESTAMPTZ,
    completed_at    TIMESTAMPTZ,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT execution_not_own_parent CHECK (parent IS NULL OR parent <> id),
    CONSTRAINT execution_completed_after_started CHECK (
        completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at
    )
);

CREATE INDEX idx_execution_action ON execution (action);
CREATE INDEX idx_execution_action_ref ON execution (action_ref);
CREATE INDEX idx_execution_parent ON execution (parent);
CREATE INDEX idx_execution_enforcement ON execution (enforcement);
CREATE INDEX idx_execution_executor ON execution (executor);
CREATE INDEX idx_execution_status ON execution (status);
CREATE INDEX idx_execution_created ON execution (created DESC);
CREATE INDEX idx_execution_updated ON execution (updated DESC);
CREATE INDEX idx_execution_status_created ON execution (status, created DESC);
CREATE INDEX idx_execution_action_status ON execution (action, status);
CREATE INDEX idx_execution_action_ref_created ON execution (action_ref, created DESC);
CREATE INDEX idx_execution_active ON execution (created)
    WHERE status IN ('requested', 'scheduling', 'scheduled', 'running', 'canceling');
CREATE INDEX idx_execution_result ON execution USING gin (result);

CREATE TRIGGER update_execution_updated
    BEFORE UPDATE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE execution IS 'One run of an action: requested manually, by a rule, or as a workflow step';
COMMENT ON COLUMN execution.action IS 'Action being run; NULL once the action is deleted';
COMMENT ON COLUMN execution.action_ref IS 'Action ref at execution time (kept after deletion)';
COMMENT ON COLUMN execution.config IS 'Resolved parameters the action was run with';
COMMENT ON COLUMN execution.parent IS 'Parent execution for nested runs (e.g. a workflow and its tasks)';
COMMENT ON COLUMN execution.enforcement IS 'Enforcement that caused this execution; NULL for manual runs';
COMMENT ON COLUMN execution.executor IS 'Identity that requested the execution; NULL for rule-driven runs';
COMMENT ON COLUMN execution.status IS 'Lifecycle state (requested -> scheduled -> running -> completed/failed/...)';
COMMENT ON COLUMN execution.result IS 'Action output (stdout parsed as JSON where possible, exit code, error)';
COMMENT ON COLUMN execution.started_at IS 'When a worker started the action';
COMMENT ON COLUMN execution.completed_at IS 'When the execution reached a terminal state';


-- ============================================================================
-- INQUIRY
-- ============================================================================

CREATE TABLE inquiry (
    id              BIGSERIAL PRIMARY KEY,
    execution       BIGINT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
    prompt          TEXT NOT NULL,
    response_schema JSONB,
    assigned_to     BIGINT REFERENCES identity(id) ON DELETE SET NULL,
    status          inquiry_status_enum NOT NULL DEFAULT 'pending',
    response        JSONB,
    timeout_at      TIMESTAMPTZ,
    responded_at    TIMESTAMPTZ,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT inquiry_responded_has_timestamp CHECK (
        status <> 'responded' OR responded_at IS NOT NULL
    )
);

CREATE INDEX idx_inquiry_execution ON inquiry (execution);
CREATE INDEX idx_inquiry_assigned_to ON inquiry (assigned_to);
CREATE INDEX idx_inquiry_status ON inquiry (status);
CREATE INDEX idx_inquiry_created ON inquiry (created DESC);
CREATE INDEX idx_inquiry_pending_timeout ON inquiry (timeout_at) WHERE status = 'pending';
CREATE INDEX idx_inquiry_assigned_status ON inquiry (assigned_to, status);

CREATE TRIGGER update_inquiry_updated
    BEFORE UPDATE ON inquiry
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE inquiry IS 'Question to a human that pauses an execution until answered or timed out';
COMMENT ON COLUMN inquiry.execution IS 'Execution waiting for the answer';
COMMENT ON COLUMN inquiry.prompt IS 'Question shown to the responder';
COMMENT ON COLUMN inquiry.response_schema IS 'JSON Schema the response must satisfy';
COMMENT ON COLUMN inquiry.assigned_to IS 'Identity expected to respond; NULL lets anyone with permission respond';
COMMENT ON COLUMN inquiry.response IS 'The response, once given';
COMMENT ON COLUMN inquiry.timeout_at IS 'When a pending inquiry times out; NULL waits forever';


-- ============================================================================
-- WORKFLOW_DEFINITION
-- ============================================================================

CREATE TABLE workflow_definition (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT,
    version         TEXT NOT NULL,
    param_schema    JSONB,
    out_schema      JSONB,
    definition      JSONB NOT NULL,
    tags            TEXT[] NOT NULL DEFAULT '{}',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT workflow_definition_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT workflow_definition_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT workflow_definition_has_tasks CHECK (definition ? 'tasks')
);

CREATE INDEX idx_workflow_def_pack ON workflow_definition (pack);
CREATE INDEX idx_workflow_def_enabled ON workflow_definition (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_workflow_def_created ON workflow_definition (created DESC);
CREATE INDEX idx_workflow_def_tags ON workflow_definition USING gin (tags);
CREATE INDEX idx_workflow_def_definition ON workflow_definition USING gin (definition jsonb_path_ops);

CREATE TRIGGER update_workflow_definition_updated
    BEFORE UPDATE ON workflow_definition
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE workflow_definition IS 'Workflow (a graph of tasks) loaded from a pack''s workflows/ directory';
COMMENT ON COLUMN workflow_definition.ref IS 'Unique workflow reference: <pack>.<name>';
COMMENT ON COLUMN workflow_definition.version IS 'Workflow version from the YAML file';
COMMENT ON COLUMN workflow_definition.definition IS 'Parsed workflow YAML: {"tasks": [...], "vars": {...}, "output": {...}}';
COMMENT ON COLUMN workflow_definition.param_schema IS 'JSON Schema for workflow input parameters';
COMMENT ON COLUMN workflow_definition.out_schema IS 'JSON Schema for the workflow output';
COMMENT ON COLUMN workflow_definition.tags IS 'Tags for discovery and filtering';
COMMENT ON COLUMN workflow_definition.enabled IS 'Disabled workflows cannot be started';


-- ============================================================================
-- WORKFLOW_EXECUTION
-- ============================================================================
-- The state of one running workflow.  The workflow itself is also an
-- execution row (the parent of its task executions); this table holds the
-- scheduler state that does not fit into execution.

CREATE TABLE workflow_execution (
    id              BIGSERIAL PRIMARY KEY,
    execution       BIGINT NOT NULL UNIQUE REFERENCES execution(id) ON DELETE CASCADE,
    workflow_def    BIGINT NOT NULL REFERENCES workflow_definition(id) ON DELETE CASCADE,
    current_tasks   TEXT[] NOT NULL DEFAULT '{}',
    completed_tasks TEXT[] NOT NULL DEFAULT '{}',
    failed_tasks    TEXT[] NOT NULL DEFAULT '{}',
    skipped_tasks   TEXT[] NOT NULL DEFAULT '{}',
    variables       JSONB NOT NULL DEFAULT '{}'::jsonb,
    task_graph      JSONB NOT NULL DEFAULT '{}'::jsonb,
    status          execution_status_enum NOT NULL DEFAULT 'requested',
    error_message   TEXT,
    paused          BOOLEAN NOT NULL DEFAULT FALSE,
    pause_reason    TEXT,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT workflow_execution_pause_reason CHECK (paused OR pause_reason IS NULL)
);

CREATE INDEX idx_workflow_exec_execution ON workflow_execution (execution);
CREATE INDEX idx_workflow_exec_workflow_def ON workflow_execution (workflow_def);
CREATE INDEX idx_workflow_exec_status ON workflow_execution (status);
CREATE INDEX idx_workflow_exec_paused ON workflow_execution (paused) WHERE paused = TRUE;
CREATE INDEX idx_workflow_exec_created ON workflow_execution (created DESC);

CREATE TRIGGER update_workflow_execution_updated
    BEFORE UPDATE ON workflow_execution
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE workflow_execution IS 'Scheduler state of one running workflow';
COMMENT ON COLUMN workflow_execution.execution IS 'The execution row that represents the workflow as a whole';
COMMENT ON COLUMN workflow_execution.workflow_def IS 'Workflow definition being run';
COMMENT ON COLUMN workflow_execution.current_tasks IS 'Names of tasks currently running';
COMMENT ON COLUMN workflow_execution.completed_tasks IS 'Names of tasks that completed successfully';
COMMENT ON COLUMN workflow_execution.failed_tasks IS 'Names of tasks that failed after all retries';
COMMENT ON COLUMN workflow_execution.skipped_tasks IS 'Names of tasks skipped by a "when" condition';
COMMENT ON COLUMN workflow_execution.variables IS 'Workflow variables (vars and published task outputs)';
COMMENT ON COLUMN workflow_execution.task_graph IS 'Resolved task graph: {"<task>": {"next": [...], "join": n}}';
COMMENT ON COLUMN workflow_execution.paused IS 'True while paused by an operator or a pending inquiry';
COMMENT ON COLUMN workflow_execution.pause_reason IS 'Why the workflow is paused; only set while paused';
COMMENT ON COLUMN workflow_execution.status IS 'Overall workflow state (mirrors the workflow''s execution row)';
COMMENT ON COLUMN workflow_execution.error_message IS 'First fatal error, for failed workflows';


-- ============================================================================
-- WORKFLOW_TASK_EXECUTION
-- ============================================================================
-- One task of a running workflow.  Every task is performed by a regular
-- execution row (execution.parent = the workflow's execution); this table
-- adds the task-level bookkeeping: position in the graph, retries, timeout.

CREATE TABLE workflow_task_execution (
    id                  BIGSERIAL PRIMARY KEY,
    workflow_execution  BIGINT NOT NULL REFERENCES workflow_execution(id) ON DELETE CASCADE,
    execution           BIGINT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
    task_name           TEXT NOT NULL,
    task_index          INTEGER,
    task_batch          INTEGER,
    status              execution_status_enum NOT NULL DEFAULT 'requested',
    started_at          TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,
    duration_ms         BIGINT,
    result              JSONB,
    error               JSONB,
    retry_count         INTEGER NOT NULL DEFAULT 0,
    max_retries         INTEGER NOT NULL DEFAULT 0,
    next_retry_at       TIMESTAMPTZ,
    timeout_seconds     INTEGER,
    timed_out           BOOLEAN NOT NULL DEFAULT FALSE,
    created             TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated             TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT workflow_task_execution_retry_bounds CHECK (retry_count >= 0 AND max_retries >= 0),
    CONSTRAINT workflow_task_execution_duration_positive CHECK (duration_ms IS NULL OR duration_ms >= 0),
    CONSTRAINT workflow_task_execution_index_positive CHECK (task_index IS NULL OR task_index >= 0)
);

CREATE INDEX idx_wf_task_exec_workflow ON workflow_task_execution (workflow_execution);
CREATE INDEX idx_wf_task_exec_execution ON workflow_task_execution (execution);
CREATE INDEX idx_wf_task_exec_status ON workflow_task_execution (status);
CREATE INDEX idx_wf_task_exec_task_name ON workflow_task_execution (task_name);
CREATE INDEX idx_wf_task_exec_workflow_status ON workflow_task_execution (workflow_execution, status);
CREATE INDEX idx_wf_task_exec_batch ON workflow_task_execution (workflow_execution, task_name, task_batch)
    WHERE task_batch IS NOT NULL;
CREATE INDEX idx_wf_task_exec_retry ON workflow_task_execution (next_retry_at)
    WHERE status = 'failed' AND retry_count < max_retries;
CREATE INDEX idx_wf_task_exec_timeout ON workflow_task_execution (started_at)
    WHERE status = 'running' AND timeout_seconds IS NOT NULL;
CREATE INDEX idx_wf_task_exec_created ON workflow_task_execution (created DESC);

CREATE TRIGGER update_workflow_task_execution_updated
    BEFORE UPDATE ON workflow_task_execution
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE workflow_task_execution IS 'One task of a running workflow, linked to the execution that performs it';
COMMENT ON COLUMN workflow_task_execution.workflow_execution IS 'Workflow this task belongs to';
COMMENT ON COLUMN workflow_task_execution.execution IS 'Execution performing the task';
COMMENT ON COLUMN workflow_task_execution.task_name IS 'Task name from the workflow definition';
COMMENT ON COLUMN workflow_task_execution.status IS 'Task state; usually mirrors the status of its execution';
COMMENT ON COLUMN workflow_task_execution.task_index IS 'Item index for with-items tasks; NULL for single tasks';
COMMENT ON COLUMN workflow_task_execution.task_batch IS 'Batch number for with-items tasks run with a concurrency limit';
COMMENT ON COLUMN workflow_task_execution.duration_ms IS 'Wall-clock duration of the task in milliseconds';
COMMENT ON COLUMN workflow_task_execution.retry_count IS 'Retries performed so far';
COMMENT ON COLUMN workflow_task_execution.max_retries IS 'Retry limit from the task definition';
COMMENT ON COLUMN workflow_task_execution.next_retry_at IS 'When the next retry is due (failed tasks with retries left)';
COMMENT ON COLUMN workflow_task_execution.timeout_seconds IS 'Task timeout from the definition; NULL for none';
COMMENT ON COLUMN workflow_task_execution.timed_out IS 'True if the task was stopped by its timeout';
