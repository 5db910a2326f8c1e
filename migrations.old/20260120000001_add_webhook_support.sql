-- ============================================================================
-- Migration: Add Webhook Support
-- Version:   20260120000001
-- Date:      2026-01-20
--
-- Purpose:
--   Let external systems fire a trigger by POSTing to
--   /api/v1/webhooks/<webhook_key>.  Any trigger can be exposed this way;
--   the API turns the request body into an event of that trigger.
--
-- Changes:
--   * trigger.webhook_enabled  - exposed or not
--   * trigger.webhook_key      - unguessable key that forms the URL
--   * trigger.webhook_secret   - shared secret checked against the
--                                X-Attune-Webhook-Secret header
--   * generate_webhook_key()            - new random key
--   * enable_trigger_webhook(trigger)   - enable, assign a key if needed
--   * disable_trigger_webhook(trigger)  - disable, keep the key
--
-- Notes:
--   * Keys are derived from gen_random_uuid() (122 random bits per UUID,
--     two UUIDs per key) because pgcrypto's gen_random_bytes() is not
--     available on every PostgreSQL we deploy to.
--   * Disabling keeps the key so that re-enabling restores the same URL;
--     use a new key (regenerate) to revoke a leaked URL.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Columns
-- ----------------------------------------------------------------------------

ALTER TABLE trigger
    ADD COLUMN webhook_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN webhook_key VARCHAR(64) UNIQUE,
    ADD COLUMN webhook_secret VARCHAR(128);

-- The UNIQUE constraint already indexes webhook_key, but the webhook
-- receiver looks keys up on every request; a partial index over the few
-- triggers that have a key stays tiny and hot in cache.
CREATE INDEX idx_trigger_webhook_key ON trigger (webhook_key) WHERE webhook_key IS NOT NULL;

COMMENT ON COLUMN trigger.webhook_enabled IS 'True if the trigger can be fired through its webhook URL';
COMMENT ON COLUMN trigger.webhook_key IS 'Unique key in the webhook URL: /api/v1/webhooks/<webhook_key>';
COMMENT ON COLUMN trigger.webhook_secret IS 'Optional shared secret expected in the X-Attune-Webhook-Secret header';


-- ----------------------------------------------------------------------------
-- generate_webhook_key
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION generate_webhook_key()
RETURNS VARCHAR AS $$
DECLARE
    new_key VARCHAR(64);
    attempts INTEGER := 0;
BEGIN
    LOOP
        -- "wh_" + 40 hex characters from two random UUIDs
        new_key := 'wh_' || SUBSTRING(
            REPLACE(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
            FROM 1 FOR 40
        );

        EXIT WHEN NOT EXISTS (SELECT 1 FROM trigger WHERE webhook_key = new_key);

        attempts := attempts + 1;
        IF attempts >= 10 THEN
            RAISE EXCEPTION 'could not generate a unique webhook key after % attempts', attempts;
        END IF;
    END LOOP;

    RETURN new_key;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION generate_webhook_key() IS
    'Returns a new random webhook key ("wh_" + 40 hex characters) not used by any trigger';


-- ----------------------------------------------------------------------------
-- enable_trigger_webhook
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT)
RETURNS TABLE (
    webhook_enabled BOOLEAN,
    webhook_key VARCHAR(64),
    webhook_url TEXT
) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    SELECT t.webhook_key INTO v_key
    FROM trigger t
    WHERE t.id = p_trigger_id
    FOR UPDATE;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    IF v_key IS NULL THEN
        v_key := generate_webhook_key();
    END IF;

    UPDATE trigger t
    SET webhook_enabled = TRUE,
        webhook_key = v_key
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT TRUE, v_key, '/api/v1/webhooks/' || v_key;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION enable_trigger_webhook(BIGINT) IS
    'Enables the webhook of a trigger, assigning a key on first use; returns enabled flag, key and URL path';


-- ----------------------------------------------------------------------------
-- disable_trigger_webhook
-- ----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION disable_trigger_webhook(p_trigger_id BIGINT)
RETURNS BOOLEAN AS $$
BEGIN
    UPDATE trigger t
    SET webhook_enabled = FALSE
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'trigger % does not exist', p_trigger_id;
    END IF;

    RETURN TRUE;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION disable_trigger_webhook(BIGINT) IS
    'Disables the webhook of a trigger; the key is kept so re-enabling restores the same URL';
