-- ============================================================================
-- Migration: Event System
-- Version:   20250101000003
-- Date:      2025-01-01
--
-- Purpose:
--   The event -> rule -> enforcement pipeline:
--     event        - an occurrence of a trigger, emitted by a sensor, a
--                    timer or the API
--     rule         - "when <trigger> fires and <conditions> hold, run
--                    <action> with <parameters>"
--     enforcement  - one rule matching one event; the executor turns it
--                    into an execution (see 20250101000004)
--
-- Events and enforcements are high-volume, append-mostly tables.  They keep
-- the denormalised *_ref columns NOT NULL so history stays readable after
-- the trigger, sensor or rule it came from is deleted (the foreign keys are
-- ON DELETE SET NULL).
-- ============================================================================


-- ============================================================================
-- EVENT
-- ============================================================================

CREATE TABLE event (
    id              BIGSERIAL PRIMARY KEY,
    trigger         BIGINT REFERENCES trigger(id) ON DELETE SET NULL,
    trigger_ref     TEXT NOT NULL,
    config          JSONB,
    payload         JSONB,
    source          BIGINT REFERENCES sensor(id) ON DELETE SET NULL,
    source_ref      TEXT,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT event_trigger_ref_not_blank CHECK (LENGTH(trigger_ref) > 0)
);

CREATE INDEX idx_event_trigger ON event (trigger);
CREATE INDEX idx_event_trigger_ref ON event (trigger_ref);
CREATE INDEX idx_event_source ON event (source);
CREATE INDEX idx_event_created ON event (created DESC);
CREATE INDEX idx_event_trigger_created ON event (trigger, created DESC);
CREATE INDEX idx_event_trigger_ref_created ON event (trigger_ref, created DESC);
CREATE INDEX idx_event_source_created ON event (source, created DESC);
CREATE INDEX idx_event_payload ON event USING gin (payload);

CREATE TRIGGER update_event_updated
    BEFORE UPDATE ON event
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE event IS 'Occurrence of a trigger, with the payload that rules are evaluated against';
COMMENT ON COLUMN event.trigger IS 'Trigger type of this event; NULL once the trigger is deleted';
COMMENT ON COLUMN event.trigger_ref IS 'Trigger ref at the time of the event (kept after deletion)';
COMMENT ON COLUMN event.config IS 'Snapshot of the trigger configuration that produced the event';
COMMENT ON COLUMN event.payload IS 'Event data, validated against trigger.out_schema';
COMMENT ON COLUMN event.source IS 'Sensor that emitted the event; NULL for API, webhook and timer events';
COMMENT ON COLUMN event.source_ref IS 'Sensor ref at the time of the event';


-- ============================================================================
-- RULE
-- ============================================================================

CREATE TABLE rule (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT NOT NULL,
    label           TEXT NOT NULL,
    description     TEXT NOT NULL,
    action          BIGINT NOT NULL REFERENCES action(id) ON DELETE CASCADE,
    action_ref      TEXT NOT NULL,
    trigger         BIGINT NOT NULL REFERENCES trigger(id) ON DELETE CASCADE,
    trigger_ref     TEXT NOT NULL,
    conditions      JSONB NOT NULL DEFAULT '[]'::jsonb,
    action_params   JSONB NOT NULL DEFAULT '{}'::jsonb,
    trigger_params  JSONB NOT NULL DEFAULT '{}'::jsonb,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT rule_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT rule_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT rule_conditions_is_array CHECK (jsonb_typeof(conditions) = 'array')
);

CREATE INDEX idx_rule_pack ON rule (pack);
CREATE INDEX idx_rule_action ON rule (action);
CREATE INDEX idx_rule_trigger ON rule (trigger);
CREATE INDEX idx_rule_enabled ON rule (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_rule_trigger_enabled ON rule (trigger, enabled);
CREATE INDEX idx_rule_created ON rule (created DESC);
CREATE INDEX idx_rule_action_params ON rule USING gin (action_params);
CREATE INDEX idx_rule_trigger_params ON rule USING gin (trigger_params);
CREATE INDEX idx_rule_label_trgm ON rule USING gin (label gin_trgm_ops);

CREATE TRIGGER update_rule_updated
    BEFORE UPDATE ON rule
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE rule IS 'Connects a trigger to an action, with optional conditions on the event payload';
COMMENT ON COLUMN rule.ref IS 'Unique rule reference: <pack>.<name>';
COMMENT ON COLUMN rule.pack IS 'Pack that defines this rule';
COMMENT ON COLUMN rule.action IS 'Action to run when the rule matches';
COMMENT ON COLUMN rule.action_ref IS 'Action ref as written in the rule file';
COMMENT ON COLUMN rule.trigger IS 'Trigger whose events this rule evaluates';
COMMENT ON COLUMN rule.trigger_ref IS 'Trigger ref as written in the rule file';
COMMENT ON COLUMN rule.conditions IS 'Array of conditions on the event payload: [{"field": "payload.branch", "operator": "equals", "value": "main"}]';
COMMENT ON COLUMN rule.action_params IS 'Action parameters; may reference the event with {{ event.payload.* }} templates';
COMMENT ON COLUMN rule.trigger_params IS 'Trigger parameters (e.g. {"unit": "seconds", "delta": 30} for core.intervaltimer)';
COMMENT ON COLUMN rule.enabled IS 'Disabled rules are skipped by the rule engine';


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
