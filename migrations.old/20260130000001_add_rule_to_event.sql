-- ============================================================================
-- Migration: Add Rule To Event
-- Version:   20260130000001
-- Date:      2026-01-30
--
-- Purpose:
--   Record which rule an event was produced for.  Timer and webhook
--   triggers are instantiated per rule (each rule carries its own
--   trigger_params), so the sensor knows the rule when it emits the event,
--   and the rule engine can skip matching every rule of the trigger.
--
-- Changes:
--   * event.rule      - FK to rule, SET NULL when the rule is deleted
--   * event.rule_ref  - rule ref at event time, kept after deletion
--   * idx_event_rule
--   * notify_event_created() also sends rule / rule_ref
--
-- Existing events keep NULL: the rule cannot be recovered for them.
-- ============================================================================


ALTER TABLE event
    ADD COLUMN rule BIGINT REFERENCES rule(id) ON DELETE SET NULL,
    ADD COLUMN rule_ref TEXT;

CREATE INDEX idx_event_rule ON event (rule);

COMMENT ON COLUMN event.rule IS 'Rule this event was produced for (per-rule triggers such as timers); NULL otherwise';
COMMENT ON COLUMN event.rule_ref IS 'Rule ref at event time (kept after the rule is deleted)';


-- ----------------------------------------------------------------------------
-- Include the rule in the event_created notification
-- ----------------------------------------------------------------------------
-- Same payload as 20260129150000 plus "rule" and "rule_ref", so the UI can
-- show per-rule timer events without fetching each one.

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
