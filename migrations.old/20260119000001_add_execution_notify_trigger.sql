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
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.status IS NOT DISTINCT FROM OLD.status
       AND NEW.result IS NOT DISTINCT FROM OLD.result
       AND NEW.started_at IS NOT DISTINCT FROM OLD.started_at
       AND NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at THEN
        RETURN NEW;
    END IF;

    payload := json_build_object(
        'operation',   TG_OP,
        'id',          NEW.id,
        'action_id',   NEW.action,
        'action_ref',  NEW.action_ref,
        'status',      NEW.status,
        'old_status',  CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'parent',      NEW.parent,
        'enforcement', NEW.enforcement,
        'created',     NEW.created,
        'updated',     NEW.updated
    );

    PERFORM pg_notify('execution_change', payload::text);

    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION notify_execution_change() IS
    'Trigger function: sends a JSON summary of an inserted/updated execution on the execution_change channel';


CREATE TRIGGER execution_change_notify
    AFTER INSERT OR UPDATE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION notify_execution_change();
