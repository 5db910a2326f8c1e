-- ============================================================================
-- Migration: Add Sensor Runtimes
-- Version:   20260202000001
-- Date:      2026-02-02
--
-- Purpose:
--   Register the sensor-side runtimes of the core pack, now that workers
--   can run sensors (20260131000001):
--
--     core.sensor.python   - Python sensors (same interpreter checks as
--                            core.action.python)
--     core.sensor.builtin  - sensors compiled into the sensor service
--                            itself (interval timer, cron timer, webhook)
--
--   Until now the built-in core sensors were registered against
--   core.action.native as a stopgap; they are moved to core.sensor.builtin.
--
-- As with 20250101000006, pack is NULL and pack_ref is 'core' because the
-- pack row may not exist yet.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Python (sensor)
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.sensor.python',
    NULL,
    'core',
    'Python 3 runtime for sensors. Shares the per-pack virtualenv with Python actions.',
    'sensor',
    'python',
    '{
        "verification": {
            "commands": [
                {"binary": "python3", "args": ["--version"], "exit_code": 0, "pattern": "^Python 3\\.", "priority": 1},
                {"binary": "python", "args": ["--version"], "exit_code": 0, "pattern": "^Python 3\\.", "priority": 2}
            ]
        },
        "min_version": "3.9",
        "recommended_version": "3.12"
    }'::jsonb,
    '{
        "package_managers": ["pip", "pip3"],
        "virtual_env_support": true,
        "env_dir": ".venv",
        "dependencies_file": "requirements.txt"
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;


-- ----------------------------------------------------------------------------
-- Built-in (sensor)
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.sensor.builtin',
    NULL,
    'core',
    'Sensors implemented inside the sensor service (timers, webhooks). Nothing to install or verify.',
    'sensor',
    'sensor_builtin',
    '{
        "verification": {
            "always_available": true
        },
        "builtin_sensors": ["core.interval_timer_sensor", "core.cron_timer_sensor", "core.datetime_timer_sensor"]
    }'::jsonb,
    '{
        "package_managers": [],
        "build_required": false
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;


-- ----------------------------------------------------------------------------
-- Move built-in core sensors off the native action runtime
-- ----------------------------------------------------------------------------
UPDATE sensor
SET runtime = (SELECT id FROM runtime WHERE ref = 'core.sensor.builtin'),
    runtime_ref = 'core.sensor.builtin'
WHERE pack_ref = 'core'
  AND runtime_ref = 'core.action.native';
