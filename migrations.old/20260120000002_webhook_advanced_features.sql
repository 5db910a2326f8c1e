-- ============================================================================
-- Migration: Webhook Advanced Features
-- Version:   20260120000002
-- Date:      2026-01-20
--
-- Purpose:
--   Harden trigger webhooks for use on the public internet:
--     * HMAC signature verification (GitHub/Stripe style
--       X-Attune-Signature: sha256=<hex>)
--     * per-trigger rate limiting (fixed window)
--     * IP allow-list (addresses or CIDR ranges)
--     * maximum request body size
--
-- Changes:
--   * trigger: nine webhook_* settings columns + CHECK constraints
--   * enable_trigger_webhook(trigger, config)    - enable and configure in
--                                                  one call (new overload)
--   * regenerate_trigger_webhook_key(trigger)    - rotate a leaked URL
--   * generate_webhook_secret()                  - random HMAC secret
--   * configure_trigger_webhook_hmac(...)        - per-feature setters used
--   * configure_trigger_webhook_rate_limit(...)    by the CLI
--   * configure_trigger_webhook_ip_whitelist(...)
--   * webhook_ip_allowed(trigger, ip)            - allow-list check for the
--                                                  webhook receiver
--
-- Notes:
--   * The one-argument enable_trigger_webhook(BIGINT) from 20260120000001
--     is left in place for existing callers.
--   * Rate-limit counters live in the API process (token buckets), not in
--     the database; only the settings are stored here.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Columns
-- ----------------------------------------------------------------------------

-- HMAC signature verification
ALTER TABLE trigger
    ADD COLUMN webhook_hmac_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN webhook_hmac_secret VARCHAR(128),
    ADD COLUMN webhook_hmac_algorithm VARCHAR(32) DEFAULT 'sha256';

-- Rate limiting
ALTER TABLE trigger
    ADD COLUMN webhook_rate_limit_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN webhook_rate_limit_requests INTEGER DEFAULT 100,
    ADD COLUMN webhook_rate_limit_window_seconds INTEGER DEFAULT 60;

-- IP allow-list
ALTER TABLE trigger
    ADD COLUMN webhook_ip_whitelist_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN webhook_ip_whitelist TEXT[];

-- Request body size limit
ALTER TABLE trigger ADD COLUMN webhook_payload_size_limit_kb INTEGER DEFAULT 1024;


-- ----------------------------------------------------------------------------
-- Constraints
-- ----------------------------------------------------------------------------

ALTER TABLE trigger
    ADD CONSTRAINT trigger_webhook_hmac_algorithm_valid
        CHECK (webhook_hmac_algorithm IS NULL OR webhook_hmac_algorithm IN ('sha1', 'sha256', 'sha512'));

ALTER TABLE trigger
    ADD CONSTRAINT trigger_webhook_hmac_secret_set
        CHECK (NOT webhook_hmac_enabled OR webhook_hmac_secret IS NOT NULL);

ALTER TABLE trigger
    ADD CONSTRAINT trigger_webhook_rate_limit_positive
        CHECK (webhook_rate_limit_requests > 0 AND webhook_rate_limit_window_seconds > 0);

ALTER TABLE trigger
    ADD CONSTRAINT trigger_webhook_payload_size_range
        CHECK (webhook_payload_size_limit_kb BETWEEN 1 AND 10240);


-- ----------------------------------------------------------------------------
-- Comments
-- ----------------------------------------------------------------------------

COMMENT ON COLUMN trigger.webhook_hmac_enabled IS 'Require a valid X-Attune-Signature header on webhook requests';
COMMENT ON COLUMN trigger.webhook_hmac_secret IS 'Secret used to compute the expected HMAC of the request body';
COMMENT ON COLUMN trigger.webhook_hmac_algorithm IS 'HMAC digest: sha1, sha256 (default) or sha512';
COMMENT ON COLUMN trigger.webhook_rate_limit_enabled IS 'Reject requests above the configured rate with HTTP 429';
COMMENT ON COLUMN trigger.webhook_rate_limit_requests IS 'Requests allowed per window';
COMMENT ON COLUMN trigger.webhook_rate_limit_window_seconds IS 'Rate-limit window length in seconds';
COMMENT ON COLUMN trigger.webhook_ip_whitelist_enabled IS 'Only accept requests from addresses in webhook_ip_whitelist';
COMMENT ON COLUMN trigger.webhook_ip_whitelist IS 'Allowed source addresses or CIDR ranges (e.g. {"192.30.252.0/22"})';
COMMENT ON COLUMN trigger.webhook_payload_size_limit_kb IS 'Maximum request body size in KiB (1-10240)';


-- ----------------------------------------------------------------------------
-- generate_webhook_secret
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION generate_webhook_secret()
RETURNS VARCHAR AS $$
BEGIN
    -- 64 hex characters (~244 random bits) from two random UUIDs
    RETURN REPLACE(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION generate_webhook_secret() IS
    'Returns a new random HMAC secret (64 hex characters)';


-- ----------------------------------------------------------------------------
-- enable_trigger_webhook (with configuration)
-- ----------------------------------------------------------------------------
-- p_config keys (all optional):
--   hmac_enabled, hmac_algorithm,
--   rate_limit_enabled, rate_limit_requests, rate_limit_window_seconds,
--   ip_whitelist_enabled, ip_whitelist (array of strings),
--   payload_size_limit_kb
-- Settings not present in p_config keep their current value.

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
    -- Not trigger%ROWTYPE: inside PL/pgSQL "trigger" resolves to the
    -- pseudo-type of trigger functions, not to our table.
    v_key VARCHAR(64);
    v_hmac_enabled BOOLEAN;
    v_hmac_secret VARCHAR(128);
BEGIN
    SELECT t.webhook_key, t.webhook_hmac_enabled, t.webhook_hmac_secret
    INTO v_key, v_hmac_enabled, v_hmac_secret
    FROM trigger t
    WHERE t.id = p_trigger_id
    FOR UPDATE;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    IF jsonb_typeof(p_config) <> 'object' THEN
        RAISE EXCEPTION 'webhook config must be a JSON object, got %', jsonb_typeof(p_config);
    END IF;

    v_key := COALESCE(v_key, generate_webhook_key());

    v_hmac_enabled := COALESCE((p_config->>'hmac_enabled')::boolean, v_hmac_enabled);
    IF v_hmac_enabled AND v_hmac_secret IS NULL THEN
        v_hmac_secret := generate_webhook_secret();
    END IF;

    UPDATE trigger t
    SET webhook_enabled = TRUE,
        webhook_key = v_key,
        webhook_hmac_enabled = v_hmac_enabled,
        webhook_hmac_secret = v_hmac_secret,
        webhook_hmac_algorithm = COALESCE(p_config->>'hmac_algorithm', t.webhook_hmac_algorithm),
        webhook_rate_limit_enabled = COALESCE((p_config->>'rate_limit_enabled')::boolean, t.webhook_rate_limit_enabled),
        webhook_rate_limit_requests = COALESCE((p_config->>'rate_limit_requests')::integer, t.webhook_rate_limit_requests),
        webhook_rate_limit_window_seconds = COALESCE((p_config->>'rate_limit_window_seconds')::integer, t.webhook_rate_limit_window_seconds),
        webhook_ip_whitelist_enabled = COALESCE((p_config->>'ip_whitelist_enabled')::boolean, t.webhook_ip_whitelist_enabled),
        webhook_ip_whitelist = COALESCE(
            (SELECT array_agg(ip) FROM jsonb_array_elements_text(p_config->'ip_whitelist') AS ip),
            t.webhook_ip_whitelist
        ),
        webhook_payload_size_limit_kb = COALESCE((p_config->>'payload_size_limit_kb')::integer, t.webhook_payload_size_limit_kb)
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT TRUE, v_key, '/api/v1/webhooks/' || v_key;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION enable_trigger_webhook(BIGINT, JSONB) IS
    'Enables the webhook of a trigger and applies the given settings; returns enabled flag, key and URL path';


-- ----------------------------------------------------------------------------
-- regenerate_trigger_webhook_key
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION regenerate_trigger_webhook_key(p_trigger_id BIGINT)
RETURNS TABLE (
    webhook_key VARCHAR(64),
    previous_key_revoked BOOLEAN
) AS $$
DECLARE
    v_old_key VARCHAR(64);
    v_new_key VARCHAR(64);
BEGIN
    SELECT t.webhook_key INTO v_old_key
    FROM trigger t
    WHERE t.id = p_trigger_id
    FOR UPDATE;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    v_new_key := generate_webhook_key();

    UPDATE trigger t
    SET webhook_key = v_new_key
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT v_new_key, v_old_key IS NOT NULL;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION regenerate_trigger_webhook_key(BIGINT) IS
    'Replaces the webhook key of a trigger (the old URL stops working immediately); returns the new key';


-- ----------------------------------------------------------------------------
-- configure_trigger_webhook_hmac
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION configure_trigger_webhook_hmac(
    p_trigger_id BIGINT,
    p_enabled BOOLEAN,
    p_algorithm VARCHAR DEFAULT 'sha256'
)
RETURNS VARCHAR AS $$
DECLARE
    v_secret VARCHAR(128);
BEGIN
    SELECT t.webhook_hmac_secret INTO v_secret
    FROM trigger t
    WHERE t.id = p_trigger_id
    FOR UPDATE;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    IF p_enabled AND v_secret IS NULL THEN
        v_secret := generate_webhook_secret();
    END IF;

    UPDATE trigger t
    SET webhook_hmac_enabled = p_enabled,
        webhook_hmac_secret = v_secret,
        webhook_hmac_algorithm = p_algorithm
    WHERE t.id = p_trigger_id;

    -- The secret is returned once so the caller can configure the sender.
    RETURN CASE WHEN p_enabled THEN v_secret END;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION configure_trigger_webhook_hmac(BIGINT, BOOLEAN, VARCHAR) IS
    'Turns HMAC verification on or off for a trigger webhook; returns the secret when enabled';


-- ----------------------------------------------------------------------------
-- configure_trigger_webhook_rate_limit
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION configure_trigger_webhook_rate_limit(
    p_trigger_id BIGINT,
    p_enabled BOOLEAN,
    p_requests INTEGER DEFAULT 100,
    p_window_seconds INTEGER DEFAULT 60
)
RETURNS BOOLEAN AS $$
BEGIN
    UPDATE trigger t
    SET webhook_rate_limit_enabled = p_enabled,
        webhook_rate_limit_requests = p_requests,
        webhook_rate_limit_window_seconds = p_window_seconds
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    RETURN TRUE;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION configure_trigger_webhook_rate_limit(BIGINT, BOOLEAN, INTEGER, INTEGER) IS
    'Sets the webhook rate limit of a trigger (requests per window)';


-- ----------------------------------------------------------------------------
-- configure_trigger_webhook_ip_whitelist
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION configure_trigger_webhook_ip_whitelist(
    p_trigger_id BIGINT,
    p_enabled BOOLEAN,
    p_whitelist TEXT[] DEFAULT NULL
)
RETURNS BOOLEAN AS $$
DECLARE
    v_entry TEXT;
BEGIN
    -- Validate every entry up front: a typo must not silently lock out
    -- (or let in) everyone.  The cast raises invalid_text_representation.
    IF p_whitelist IS NOT NULL THEN
        FOREACH v_entry IN ARRAY p_whitelist LOOP
            PERFORM v_entry::inet;
        END LOOP;
    END IF;

    IF p_enabled AND COALESCE(array_length(p_whitelist, 1), 0) = 0 THEN
        RAISE EXCEPTION 'an enabled IP allow-list needs at least one entry';
    END IF;

    UPDATE trigger t
    SET webhook_ip_whitelist_enabled = p_enabled,
        webhook_ip_whitelist = p_whitelist
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    RETURN TRUE;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION configure_trigger_webhook_ip_whitelist(BIGINT, BOOLEAN, TEXT[]) IS
    'Sets the IP allow-list of a trigger webhook; entries are addresses or CIDR ranges';


-- ----------------------------------------------------------------------------
-- webhook_ip_allowed
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION webhook_ip_allowed(p_trigger_id BIGINT, p_source_ip INET)
RETURNS BOOLEAN AS $$
DECLARE
    v_enabled BOOLEAN;
    v_whitelist TEXT[];
BEGIN
    SELECT t.webhook_ip_whitelist_enabled, t.webhook_ip_whitelist
    INTO v_enabled, v_whitelist
    FROM trigger t
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RETURN FALSE;
    END IF;

    IF NOT v_enabled THEN
        RETURN TRUE;
    END IF;

    RETURN EXISTS (
        SELECT 1
        FROM unnest(v_whitelist) AS entry
        WHERE p_source_ip <<= entry::inet
    );
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION webhook_ip_allowed(BIGINT, INET) IS
    'True if the source address may call the trigger webhook (always true when the allow-list is disabled)';
