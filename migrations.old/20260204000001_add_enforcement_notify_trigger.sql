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
