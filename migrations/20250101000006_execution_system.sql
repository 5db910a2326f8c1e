-- 20250101000006_execution_system.sql
-- Enforcement, execution (with workflow columns), inquiry
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000003_event_system.sql
--   20250101000004_execution_system.sql
--   20260127212500_consolidate_workflow_task_execution.sql

-- ============================================================================
-- ENFORCEMENT
-- ============================================================================
CREATE TABLE enforcement (
    id              BIGSERIAL PRIMARY KEY,
    rule            BIGINT REFERENCES rule(id) ON DELETE SET NULL,
    rule_ref        TEXT NOT NULL,
    trigger_ref     TEXT NOT NULL,
    config          JSONB,
    event           BIGINT REFERENCES event(id) ON DELETE SET NULL,
    status          enforcement_status_enum NOT NULL DEFAULT 'created',
    payload         JSONB NOT NULL DEFAULT '{}'::jsonb,
    condition       enforcement_condition_enum NOT NULL DEFAULT 'all',
    conditions      JSONB NOT NULL DEFAULT '[]'::jsonb,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT enforcement_conditions_is_array CHECK (jsonb_typeof(conditions) = 'array')
);

CREATE INDEX idx_enforcement_rule ON enforcement (rule);
CREATE INDEX idx_enforcement_rule_ref ON enforcement (rule_ref);
CREATE INDEX idx_enforcement_trigger_ref ON enforcement (trigger_ref);
CREATE INDEX idx_enforcement_event ON enforcement (event);
CREATE INDEX idx_enforcement_status ON enforcement (status);
CREATE INDEX idx_enforcement_created ON enforcement (created DESC);
CREATE INDEX idx_enforcement_status_created ON enforcement (status, created DESC);
CREATE INDEX idx_enforcement_rule_status ON enforcement (rule, status);
CREATE INDEX idx_enforcement_pending ON enforcement (created) WHERE status = 'created';
CREATE INDEX idx_enforcement_payload ON enforcement USING gin (payload);

CREATE TRIGGER update_enforcement_updated
    BEFORE UPDATE ON enforcement
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE enforcement IS 'A rule matching an event; processed by the executor into an execution';
COMMENT ON COLUMN enforcement.rule IS 'Rule that matched; NULL once the rule is deleted';
COMMENT ON COLUMN enforcement.rule_ref IS 'Rule ref at enforcement time (kept after deletion)';
COMMENT ON COLUMN enforcement.trigger_ref IS 'Trigger ref of the matched event';
COMMENT ON COLUMN enforcement.config IS 'Snapshot of the rule configuration at enforcement time';
COMMENT ON COLUMN enforcement.event IS 'Event that was matched; NULL for manual (API) enforcements';
COMMENT ON COLUMN enforcement.status IS 'created -> processed, or disabled if the rule was disabled meanwhile';
COMMENT ON COLUMN enforcement.payload IS 'Resolved action parameters after template rendering';
COMMENT ON COLUMN enforcement.condition IS 'How conditions were combined: any or all';
COMMENT ON COLUMN enforcement.conditions IS 'Snapshot of the rule conditions that were evaluated';

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
    is_workflow     BOOLEAN DEFAULT false NOT NULL,
    workflow_def    BIGINT,
    workflow_task   JSONB,

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

COMMENT ON COLUMN execution.is_workflow IS 'True if this execution is a workflow run (its tasks are child executions)';
COMMENT ON COLUMN execution.workflow_def IS 'Workflow definition run by this execution (workflow runs only)';
COMMENT ON COLUMN execution.workflow_task IS
    'Task metadata for executions that are workflow tasks: {"workflow_execution", "task_name", "task_index", "task_batch", "retry_count", "max_retries", "next_retry_at", "timeout_seconds", "timed_out", "duration_ms"}';

-- ----------------------------------------------------------------------------
-- Indexes
-- ----------------------------------------------------------------------------
CREATE INDEX idx_execution_is_workflow ON execution (is_workflow) WHERE is_workflow = TRUE;
CREATE INDEX idx_execution_workflow_def ON execution (workflow_def);
CREATE INDEX idx_execution_workflow_task ON execution USING gin (workflow_task) WHERE workflow_task IS NOT NULL;
CREATE INDEX idx_execution_parent_created ON execution (parent, created) WHERE parent IS NOT NULL;
