-- 20250101000005_trigger_event_rule.sql
-- Trigger (with webhook_config), event (with rule), rule (with is_adhoc)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000002_core_tables.sql
--   20250101000003_event_system.sql
--   20260120000001_add_webhook_support.sql
--   20260120000002_webhook_advanced_features.sql
--   20260127000001_consolidate_webhook_config.sql
--   20260129140130_add_is_adhoc_flag.sql
--   20260130000001_add_rule_to_event.sql

-- ============================================================================
-- TRIGGER
-- ============================================================================
-- A type of event that can start automation (e.g. core.intervaltimer,
-- github.push).  Sensors emit events of a trigger type; rules match them.
CREATE TABLE trigger (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    pack            BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref        TEXT,
    label           TEXT NOT NULL,
    description     TEXT,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    param_schema    JSONB,
    out_schema      JSONB,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    webhook_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    webhook_key     VARCHAR(64) UNIQUE,
    webhook_config  JSONB DEFAULT '{}'::jsonb,

    CONSTRAINT trigger_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT trigger_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT trigger_webhook_config_is_object
        CHECK (webhook_config IS NULL OR jsonb_typeof(webhook_config) = 'object')
);

-- Foreign key sensor.trigger: added here, where trigger exists (sensor is created in 20250101000004_action_sensor.sql).
ALTER TABLE sensor
    ADD CONSTRAINT sensor_trigger_fkey FOREIGN KEY (trigger) REFERENCES trigger(id) ON DELETE CASCADE;

CREATE INDEX idx_trigger_pack ON trigger (pack);
CREATE INDEX idx_trigger_enabled ON trigger (enabled) WHERE enabled = TRUE;
CREATE INDEX idx_trigger_created ON trigger (created DESC);
CREATE INDEX idx_trigger_pack_enabled ON trigger (pack, enabled);
CREATE INDEX idx_trigger_label_trgm ON trigger USING gin (label gin_trgm_ops);

CREATE TRIGGER update_trigger_updated
    BEFORE UPDATE ON trigger
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE trigger IS 'Event type that can start automation (timer, webhook, external system event)';
COMMENT ON COLUMN trigger.ref IS 'Unique trigger reference: <pack>.<name> (e.g. core.intervaltimer)';
COMMENT ON COLUMN trigger.pack IS 'Pack that defines this trigger';
COMMENT ON COLUMN trigger.label IS 'Human-readable name shown in the UI';
COMMENT ON COLUMN trigger.enabled IS 'Disabled triggers are ignored by the rule engine';
COMMENT ON COLUMN trigger.param_schema IS 'JSON Schema for trigger parameters set on a rule (e.g. the timer interval)';
COMMENT ON COLUMN trigger.out_schema IS 'JSON Schema of the event payload this trigger produces';

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
    rule            BIGINT,
    rule_ref        TEXT,

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
    is_adhoc        BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT rule_ref_lowercase CHECK (ref = LOWER(ref)),
    CONSTRAINT rule_ref_format CHECK (ref ~ '^[^.]+\.[^.]+$'),
    CONSTRAINT rule_conditions_is_array CHECK (jsonb_typeof(conditions) = 'array')
);

-- Foreign key event.rule: added once rule exists.
ALTER TABLE event
    ADD CONSTRAINT event_rule_fkey FOREIGN KEY (rule) REFERENCES rule(id) ON DELETE SET NULL;

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

-- The UNIQUE constraint already indexes webhook_key, but the webhook
-- receiver looks keys up on every request; a partial index over the few
-- triggers that have a key stays tiny and hot in cache.
CREATE INDEX idx_trigger_webhook_key ON trigger (webhook_key) WHERE webhook_key IS NOT NULL;

COMMENT ON COLUMN trigger.webhook_enabled IS 'True if the trigger can be fired through its webhook URL';
COMMENT ON COLUMN trigger.webhook_key IS 'Unique key in the webhook URL: /api/v1/webhooks/<webhook_key>';

COMMENT ON COLUMN trigger.webhook_config IS
    'Webhook settings: {"secret", "hmac": {...}, "rate_limit": {...}, "ip_whitelist": {...}, "payload_size_limit_kb"}';

CREATE INDEX idx_rule_is_adhoc ON rule (is_adhoc) WHERE is_adhoc = true;

COMMENT ON COLUMN rule.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';

CREATE INDEX idx_event_rule ON event (rule);

COMMENT ON COLUMN event.rule IS 'Rule this event was produced for (per-rule triggers such as timers); NULL otherwise';
COMMENT ON COLUMN event.rule_ref IS 'Rule ref at event time (kept after the rule is deleted)';
