-- ============================================================================
-- Migration: Fix Webhook Function Overload
-- Version:   20260129000001
-- Date:      2026-01-29
--
-- Purpose:
--   20260120000002 added enable_trigger_webhook(BIGINT, JSONB DEFAULT '{}')
--   next to the original enable_trigger_webhook(BIGINT).  Because of the
--   default, a one-argument call matches both, and PostgreSQL refuses it:
--
--     ERROR:  function enable_trigger_webhook(bigint) is not unique
--     HINT:   Could not choose a best candidate function. You might need
--             to add explicit type casts.
--
--   This broke `attune trigger webhook enable` and the UI toggle.
--
-- Fix:
--   Drop every webhook helper function, each with its exact argument list
--   (DROP FUNCTION without arguments is itself ambiguous once overloads
--   exist), and recreate enable_trigger_webhook(BIGINT, JSONB DEFAULT '{}')
--   as the single entry point.  Disabling, key rotation and the IP check
--   move into the API service, which updates the trigger row directly.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Drop both overloads of enable_trigger_webhook
-- ----------------------------------------------------------------------------

DROP FUNCTION IF EXISTS enable_trigger_webhook(BIGINT);
DROP FUNCTION IF EXISTS enable_trigger_webhook(BIGINT, JSONB);


-- ----------------------------------------------------------------------------
-- Drop the other webhook helpers
-- ----------------------------------------------------------------------------

DROP FUNCTION IF EXISTS disable_trigger_webhook(BIGINT);
DROP FUNCTION IF EXISTS regenerate_trigger_webhook_key(BIGINT);
DROP FUNCTION IF EXISTS configure_trigger_webhook(BIGINT, JSONB);
DROP FUNCTION IF EXISTS webhook_ip_allowed(BIGINT, INET);
DROP FUNCTION IF EXISTS generate_webhook_secret();
DROP FUNCTION IF EXISTS generate_webhook_key();

-- Already dropped by 20260127000001; repeated so this migration also cleans
-- up databases where that one was hand-applied partially.
DROP FUNCTION IF EXISTS configure_trigger_webhook_hmac(BIGINT, BOOLEAN, VARCHAR);
DROP FUNCTION IF EXISTS configure_trigger_webhook_rate_limit(BIGINT, BOOLEAN, INTEGER, INTEGER);
DROP FUNCTION IF EXISTS configure_trigger_webhook_ip_whitelist(BIGINT, BOOLEAN, TEXT[]);


-- ----------------------------------------------------------------------------
-- Single enable_trigger_webhook
-- ----------------------------------------------------------------------------

CREATE FUNCTION enable_trigger_webhook(
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

    UPDATE trigger t
    SET webhook_enabled = TRUE,
        webhook_key = v_key,
        webhook_config = v_config
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT TRUE, v_key, '/api/v1/webhooks/' || v_key;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION enable_trigger_webhook(BIGINT, JSONB) IS
    'Enables the webhook of a trigger and merges p_config into webhook_config; the only webhook SQL entry point';
