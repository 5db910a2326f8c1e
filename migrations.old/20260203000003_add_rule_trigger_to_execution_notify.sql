-- ============================================================================
-- Migration: Add Rule And Trigger To Execution Notify
-- Version:   20260203000003
-- Date:      2026-02-03
--
-- Purpose:
--   The executions page groups and filters live updates by rule and
--   trigger, which meant one extra API call per notification to look up
--   the enforcement.  Include the rule and trigger in the
--   execution_change payload instead (20260119000001 sent only the
--   enforcement id).
--
-- Payload (JSON text on channel "execution_change"):
--   {"operation", "id", "action_id", "action_ref", "status", "old_status",
--    "parent", "enforcement", "rule_id", "rule_ref", "trigger_ref",
--    "is_workflow", "workflow_def", "created", "updated"}
--
-- rule_id / rule_ref / trigger_ref are NULL for manual executions.  The
-- enforcement is looked up by primary key, once per notified row.
--
-- The trigger (execution_change_notify) is unchanged; only the function
-- body is replaced.
-- ============================================================================


CREATE OR REPLACE FUNCTION notify_execution_change()
RETURNS TRIGGER AS $$
DECLARE
    payload JSON;
    v_rule_id BIGINT;
    v_rule_ref TEXT;
    v_trigger_ref TEXT;
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.status IS NOT DISTINCT FROM OLD.status
       AND NEW.result IS NOT DISTINCT FROM OLD.result
       AND NEW.started_at IS NOT DISTINCT FROM OLD.started_at
       AND NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at THEN
        RETURN NEW;
    END IF;

    IF NEW.enforcement IS NOT NULL THEN
        SELECT enf.rule, enf.rule_ref, enf.trigger_ref
        INTO v_rule_id, v_rule_ref, v_trigger_ref
        FROM enforcement enf
        WHERE enf.id = NEW.enforcement;
    END IF;

    payload := json_build_object(
        'operation',    TG_OP,
        'id',           NEW.id,
        'action_id',    NEW.action,
        'action_ref',   NEW.action_ref,
        'status',       NEW.status,
        'old_status',   CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'parent',       NEW.parent,
        'enforcement',  NEW.enforcement,
        'rule_id',      v_rule_id,
        'rule_ref',     v_rule_ref,
        'trigger_ref',  v_trigger_ref,
        'is_workflow',  NEW.is_workflow,
        'workflow_def', NEW.workflow_def,
        'created',      NEW.created,
        'updated',      NEW.updated
    );

    PERFORM pg_notify('execution_change', payload::text);

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION notify_execution_change() IS
    'Trigger function: sends a JSON summary of an inserted/updated execution, with its rule and trigger, on the execution_change channel';
