-- 20250101000007_workflow_system.sql
-- Workflow_definition, workflow_execution (no workflow_task_execution)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000004_execution_system.sql
--   20260127212500_consolidate_workflow_task_execution.sql

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

-- Foreign key execution.workflow_def: added here, where workflow_definition exists (execution is created in 20250101000006_execution_system.sql).
ALTER TABLE execution
    ADD CONSTRAINT execution_workflow_def_fkey FOREIGN KEY (workflow_def) REFERENCES workflow_definition(id) ON DELETE SET NULL;

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
