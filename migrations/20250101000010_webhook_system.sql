-- 20250101000010_webhook_system.sql
-- Webhook functions (final versions)
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20260204000001_restore_webhook_functions.sql

-- ----------------------------------------------------------------------------
-- generate_webhook_key
-- ----------------------------------------------------------------------------
CREATE FUNCTION generate_webhook_key()
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
-- Enables the webhook, assigning a key on first use, and merges p_config
-- into webhook_config (top-level keys replace existing ones).  When HMAC is
-- enabled without a secret, one is generated; the caller reads it back from
-- webhook_config to configure the sender.
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
    IF p_config IS NULL OR jsonb_typeof(p_config) <> 'object' THEN
        RAISE EXCEPTION 'webhook config must be a JSON object, got %', COALESCE(jsonb_typeof(p_config), 'NULL');
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

    IF COALESCE((v_config #>> '{hmac,enabled}')::boolean, FALSE)
       AND v_config #>> '{hmac,secret}' IS NULL THEN
        v_config := jsonb_set(
            v_config,
            '{hmac,secret}',
            to_jsonb(REPLACE(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
        );
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

-- ----------------------------------------------------------------------------
-- disable_trigger_webhook
-- ----------------------------------------------------------------------------
-- The key and webhook_config are kept so that re-enabling restores the same
-- URL and settings.  Rotate the key to revoke a leaked URL.
CREATE FUNCTION disable_trigger_webhook(p_trigger_id BIGINT)
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
    'Disables the webhook of a trigger; key and webhook_config are kept';

-- ----------------------------------------------------------------------------
-- regenerate_trigger_webhook_key
-- ----------------------------------------------------------------------------
CREATE FUNCTION regenerate_trigger_webhook_key(p_trigger_id BIGINT)
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
