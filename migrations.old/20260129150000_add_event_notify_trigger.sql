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
    'Trigger function: sends a JSON summary of a new event on the event_created channel';


CREATE TRIGGER event_created_notify
    AFTER INSERT ON event
    FOR EACH ROW
    EXECUTE FUNCTION notify_event_created();
