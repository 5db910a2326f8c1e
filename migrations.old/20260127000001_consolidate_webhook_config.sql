-- ============================================================================
-- Migration: Consolidate Webhook Config
-- Version:   20260127000001
-- Date:      2026-01-27
--
-- Purpose:
--   Replace the ten webhook_* settings columns added in 20260120000001 and
--   20260120000002 with a single webhook_config JSONB document.  Every new
--   webhook option so far has meant a migration, a model change and new
--   setter functions; with a document the API validates the shape and new
--   options need no schema change.
--
-- webhook_config shape (every key optional):
--   {
--     "secret": "...",                                        -- shared secret header
--     "hmac": {"enabled": true, "secret": "...", "algorithm": "sha256"},
--     "rate_limit": {"enabled": true, "requests": 100, "window_seconds": 60},
--     "ip_whitelist": {"enabled": true, "ips": ["192.30.252.0/22"]},
--     "payload_size_limit_kb": 1024
--   }
--
-- Kept as columns: webhook_enabled and webhook_key (the receiver looks
-- triggers up by key on every request, so it stays indexed).
--
-- Steps:
--   1. add webhook_config and copy the existing settings into it
--   2. drop the per-feature setter functions (they write dropped columns)
--   3. drop the constraints and the ten columns
--   4. rewrite the remaining functions against webhook_config
-- ============================================================================


-- ----------------------------------------------------------------------------
-- 1. New column and data copy
-- ----------------------------------------------------------------------------

ALTER TABLE trigger ADD COLUMN webhook_config JSONB DEFAULT '{}'::jsonb;

ALTER TABLE trigger
    ADD CONSTRAINT trigger_webhook_config_is_object
        CHECK (webhook_config IS NULL OR jsonb_typeof(webhook_config) = 'object');

COMMENT ON COLUMN trigger.webhook_config IS
    'Webhook settings: {"secret", "hmac": {...}, "rate_limit": {...}, "ip_whitelist": {...}, "payload_size_limit_kb"}';

-- Only triggers that ever had a webhook get a populated document; the rest
-- keep '{}'.  Nested objects are only written for features that were
-- configured, and NULL leaves are stripped.
UPDATE trigger
SET webhook_config = jsonb_strip_nulls(
    jsonb_build_object(
        'secret', webhook_secret,
        'hmac', CASE
            WHEN webhook_hmac_enabled OR webhook_hmac_secret IS NOT NULL THEN
                jsonb_build_object(
                    'enabled', webhook_hmac_enabled,
                    'secret', webhook_hmac_secret,
                    'algorithm', COALESCE(webhook_hmac_algorithm, 'sha256')
                )
        END,
        'rate_limit', CASE
            WHEN webhook_rate_limit_enabled THEN
                jsonb_build_object(
                    'enabled', TRUE,
                    'requests', webhook_rate_limit_requests,
                    'window_seconds', webhook_rate_limit_window_seconds
                )
        END,
        'ip_whitelist', CASE
            WHEN webhook_ip_whitelist_enabled OR webhook_ip_whitelist IS NOT NULL THEN
                jsonb_build_object(
                    'enabled', webhook_ip_whitelist_enabled,
                    'ips', to_jsonb(COALESCE(webhook_ip_whitelist, ARRAY[]::TEXT[]))
                )
        END,
        'payload_size_limit_kb', CASE
            WHEN webhook_payload_size_limit_kb IS DISTINCT FROM 1024 THEN webhook_payload_size_limit_kb
        END
    )
)
WHERE webhook_key IS NOT NULL
   OR webhook_enabled
   OR webhook_secret IS NOT NULL
   OR webhook_hmac_enabled
   OR webhook_rate_limit_enabled
   OR webhook_ip_whitelist_enabled;


-- ----------------------------------------------------------------------------
-- 2. Drop the per-feature setters
-- ----------------------------------------------------------------------------
-- Replaced by configure_trigger_webhook(trigger, config) below.

DROP FUNCTION IF EXISTS configure_trigger_webhook_hmac(BIGINT, BOOLEAN, VARCHAR);
DROP FUNCTION IF EXISTS configure_trigger_webhook_rate_limit(BIGINT, BOOLEAN, INTEGER, INTEGER);
DROP FUNCTION IF EXISTS configure_trigger_webhook_ip_whitelist(BIGINT, BOOLEAN, TEXT[]);


-- ----------------------------------------------------------------------------
-- 3. Drop constraints and columns
-- ----------------------------------------------------------------------------
-- Dropping a column would take its CHECK constraints with it, but naming
-- them keeps this migration readable and safe to review.

ALTER TABLE trigger
    DROP CONSTRAINT IF EXISTS trigger_webhook_hmac_algorithm_valid,
    DROP CONSTRAINT IF EXISTS trigger_webhook_hmac_secret_set,
    DROP CONSTRAINT IF EXISTS trigger_webhook_rate_limit_positive,
    DROP CONSTRAINT IF EXISTS trigger_webhook_payload_size_range;

-- Shared secret (20260120000001); now webhook_config.secret
ALTER TABLE trigger DROP COLUMN IF EXISTS webhook_secret;

-- HMAC (20260120000002); now webhook_config.hmac
ALTER TABLE trigger
    DROP COLUMN IF EXISTS webhook_hmac_enabled,
    DROP COLUMN IF EXISTS webhook_hmac_secret,
    DROP COLUMN IF EXISTS webhook_hmac_algorithm;

-- Rate limiting (20260120000002); now webhook_config.rate_limit
ALTER TABLE trigger DROP COLUMN IF EXISTS webhook_rate_limit_enabled;
ALTER TABLE trigger DROP COLUMN IF EXISTS webhook_rate_limit_requests;
ALTER TABLE trigger DROP COLUMN IF EXISTS webhook_rate_limit_window_seconds;

-- IP allow-list and payload size (20260120000002)
ALTER TABLE trigger
    DROP COLUMN IF EXISTS webhook_ip_whitelist_enabled,
    DROP COLUMN IF EXISTS webhook_ip_whitelist,
    DROP COLUMN IF EXISTS webhook_payload_size_limit_kb;


-- ----------------------------------------------------------------------------
-- 4. Functions rewritten against webhook_config
-- ----------------------------------------------------------------------------

-- enable_trigger_webhook(trigger, config): p_config is now merged into
-- webhook_config (top-level keys replace existing ones).  An HMAC secret
-- is generated when HMAC is enabled without one.
CREATE OR REPLACE FUNCTION enable_trigger_webhook(
    p_trigger_id BIGINT,
    p_config JSONB DEFAULT '{}'::jsonb
)
RETURNS TABLE (
    webhook_enabled BOOLEAN,
    webhook_key VARCHAR(64),
    webhook_url TEXT
) AS $$
DECLARE
    v_key VARCHAR(64);
    v_config JSONB;
BEGIN
    IF jsonb_typeof(p_config) <> 'object' THEN
        RAISE EXCEPTION 'webhook config must be a JSON object, got %', jsonb_typeof(p_config);
    END IF;

    SELECT t.webhook_key, COALESCE(t.webhook_config, '{}'::jsonb)
    INTO v_key, v_config
    FROM trigger t
    WHERE t.id = p_trigger_id
    FOR UPDATE;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    v_key := COALESCE(v_key, generate_webhook_key());
    v_config := v_config || p_config;

    IF (v_config #>> '{hmac,enabled}')::boolean AND v_config #>> '{hmac,secret}' IS NULL THEN
        v_config := jsonb_set(v_config, '{hmac,secret}', to_jsonb(generate_webhook_secret()));
    END IF;

    UPDATE trigger t
    SET webhook_enabled = TRUE,
        webhook_key = v_key,
        webhook_config = v_config
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT TRUE, v_key, '/api/v1/webhooks/' || v_key;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION enable_trigger_webhook(BIGINT, JSONB) IS
    'Enables the webhook of a trigger and merges p_config into webhook_config; returns enabled flag, key and URL path';


-- configure_trigger_webhook: change settings without touching the enabled
-- flag or the key.  Returns the resulting document.
CREATE OR REPLACE FUNCTION configure_trigger_webhook(p_trigger_id BIGINT, p_config JSONB)
RETURNS JSONB AS $$
DECLARE
    v_config JSONB;
BEGIN
    IF jsonb_typeof(p_config) <> 'object' THEN
        RAISE EXCEPTION 'webhook config must be a JSON object, got %', jsonb_typeof(p_config);
    END IF;

    UPDATE trigger t
    SET webhook_config = COALESCE(t.webhook_config, '{}'::jsonb) || p_config
    WHERE t.id = p_trigger_id
    RETURNING t.webhook_config INTO v_config;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    RETURN v_config;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION configure_trigger_webhook(BIGINT, JSONB) IS
    'Merges p_config into the webhook_config of a trigger and returns the result';


-- webhook_ip_allowed: same contract, reads webhook_config.ip_whitelist.
CREATE OR REPLACE FUNCTION webhook_ip_allowed(p_trigger_id BIGINT, p_source_ip INET)
RETURNS BOOLEAN AS $$
DECLARE
    v_whitelist JSONB;
BEGIN
    SELECT t.webhook_config -> 'ip_whitelist' INTO v_whitelist
    FROM trigger t
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RETURN FALSE;
    END IF;

    IF v_whitelist IS NULL OR NOT COALESCE((v_whitelist ->> 'enabled')::boolean, FALSE) THEN
        RETURN TRUE;
    END IF;

    RETURN EXISTS (
        SELECT 1
        FROM jsonb_array_elements_text(COALESCE(v_whitelist -> 'ips', '[]'::jsonb)) AS entry
        WHERE p_source_ip <<= entry::inet
    );
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION webhook_ip_allowed(BIGINT, INET) IS
    'True if the source address may call the trigger webhook, per webhook_config.ip_whitelist';
