-- 20250101000013_notify_triggers.sql
-- All LISTEN/NOTIFY triggers (consolidated)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20260119000001_add_execution_notify_trigger.sql
--   20260129150000_add_event_notify_trigger.sql
--   20260130000001_add_rule_to_event.sql
--   20260203000003_add_rule_trigger_to_execution_notify.sql
--   20260204000001_add_enforcement_notify_trigger.sql

-- ============================================================================
-- Migration: Add Execution Notify Trigger
-- Version:   20260119000001
-- Date:      2026-01-19
--
-- Purpose:
--   Push execution changes to listeners with LISTEN/NOTIFY instead of
--   having the API's websocket gateway poll the execution table every
--   second.  The gateway runs `LISTEN execution_change` and fans the
--   messages out to subscribed browser sessions.
--
-- Payload (JSON text on channel "execution_change"):
--   {"operation": "INSERT" | "UPDATE", "id", "action_id", "action_ref",
--    "status", "old_status", "parent", "enforcement", "created", "updated"}
--
-- Notes:
--   * NOTIFY payloads are limited to 8000 bytes, so the result and config
--     JSONB are deliberately NOT included; listeners fetch the row by id.
--   * Notifications are delivered at COMMIT, so listeners never see a row
--     that is later rolled back.
--   * UPDATEs that do not change anything the UI shows (status, result,
--     started_at, completed_at) are skipped to keep the channel quiet while
--     workers stream progress into other columns.
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

CREATE TRIGGER execution_change_notify
    AFTER INSERT OR UPDATE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION notify_execution_change();

-- ============================================================================
-- Migration: Add Event Notify Trigger
-- Version:   20260129150000
-- Date:      2026-01-29
--
-- Purpose:
--   Live event stream for the UI ("Events" page) and for `attune event
--   tail`, using the same LISTEN/NOTIFY mechanism as executions
--   (20260119000001).  Events are immutable once written, so only INSERT
--   is signalled.
--
-- Payload (JSON text on channel "event_created"):
--   {"id", "trigger", "trigger_ref", "source", "source_ref", "created",
--    "payload_size"}
--
-- The payload itself can be large and is left out (NOTIFY is limited to
-- 8000 bytes); its size in bytes lets the UI decide whether to fetch it.
-- ============================================================================
CREATE OR REPLACE FUNCTION notify_event_created()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify(
        'event_created',
        json_build_object(
            'id',           NEW.id,
            'trigger',      NEW.trigger,
            'trigger_ref',  NEW.trigger_ref,
            'rule',         NEW.rule,
            'rule_ref',     NEW.rule_ref,
            'source',       NEW.source,
            'source_ref',   NEW.source_ref,
            'created',      NEW.created,
            'payload_size', COALESCE(octet_length(NEW.payload::text), 0)
        )::text
    );

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION notify_event_created() IS
    'Trigger function: sends a JSON summary of a new event (with its rule, if any) on the event_created channel';

CREATE TRIGGER event_created_notify
    AFTER INSERT ON event
    FOR EACH ROW
    EXECUTE FUNCTION notify_event_created();

-- ============================================================================
-- Migration: Add Enforcement Notify Trigger
-- Version:   20260204000001
-- Date:      2026-02-04
--
-- Purpose:
--   Signal enforcement changes over LISTEN/NOTIFY, completing the live
--   pipeline view (event -> enforcement -> execution) in the UI.  The
--   executor also listens on this channel to pick up new enforcements
--   immediately instead of polling every 500 ms.
--
-- Payload (JSON text on channel "enforcement_change"):
--   {"operation", "id", "rule", "rule_ref", "trigger_ref", "event",
--    "status", "old_status", "condition", "created", "updated"}
--
-- UPDATEs that leave status unchanged are not signalled.
-- ============================================================================
CREATE OR REPLACE FUNCTION notify_enforcement_change()
RETURNS TRIGGER AS $$
DECLARE
    payload JSON;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;

    payload := json_build_object(
        'operation',   TG_OP,
        'id',          NEW.id,
        'rule',        NEW.rule,
        'rule_ref',    NEW.rule_ref,
        'trigger_ref', NEW.trigger_ref,
        'event',       NEW.event,
        'status',      NEW.status,
        'old_status',  CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'condition',   NEW.condition,
        'created',     NEW.created,
        'updated',     NEW.updated
    );

    PERFORM pg_notify('enforcement_change', payload::text);

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION notify_enforcement_change() IS
    'Trigger function: sends a JSON summary of an inserted/updated enforcement on the enforcement_change channel';

CREATE TRIGGER enforcement_change_notify
    AFTER INSERT OR UPDATE ON enforcement
    FOR EACH ROW
    EXECUTE FUNCTION notify_enforcement_change();
