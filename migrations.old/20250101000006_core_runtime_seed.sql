-- ============================================================================
-- Migration: Core Runtime Seed
-- Version:   20250101000006
-- Date:      2025-01-01
--
-- Purpose:
--   Register the action runtimes provided by the core pack, so workers can
--   advertise them and actions can be loaded before the core pack itself
--   is installed.
--
--     core.action.python   - Python 3 scripts (virtualenv per pack)
--     core.action.nodejs   - Node.js scripts (node_modules per pack)
--     core.action.shell    - POSIX sh / bash scripts
--     core.action.native   - compiled binaries run directly
--
-- Notes:
--   * No pack row exists yet when migrations run (packs are loaded by the
--     API on first start), so pack is left NULL and only pack_ref is set.
--     The pack loader fills runtime.pack when it installs "core".
--   * distributions.verification lists the commands a worker runs to check
--     that the runtime is present, in priority order; the first command
--     whose exit code and output match wins.
--   * ON CONFLICT keeps the seed idempotent for databases that already got
--     these rows from the pack loader.
-- ============================================================================


-- ----------------------------------------------------------------------------
-- Python 3
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.action.python',
    NULL,
    'core',
    'Python 3 runtime for actions. Each pack gets its own virtualenv built from its requirements.txt.',
    'action',
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
        "dependencies_file": "requirements.txt",
        "install_command": ["{env_dir}/bin/pip", "install", "--no-input", "-r", "{pack_dir}/requirements.txt"]
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;


-- ----------------------------------------------------------------------------
-- Node.js
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.action.nodejs',
    NULL,
    'core',
    'Node.js runtime for JavaScript actions. Dependencies are installed per pack with npm ci.',
    'action',
    'nodejs',
    '{
        "verification": {
            "commands": [
                {"binary": "node", "args": ["--version"], "exit_code": 0, "pattern": "^v(1[89]|[2-9][0-9])\\.", "priority": 1},
                {"binary": "nodejs", "args": ["--version"], "exit_code": 0, "pattern": "^v(1[89]|[2-9][0-9])\\.", "priority": 2}
            ]
        },
        "min_version": "18.0.0",
        "recommended_version": "20.0.0"
    }'::jsonb,
    '{
        "package_managers": ["npm"],
        "dependencies_file": "package.json",
        "lock_file": "package-lock.json",
        "install_command": ["npm", "ci", "--omit=dev", "--prefix", "{pack_dir}"]
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;


-- ----------------------------------------------------------------------------
-- Shell
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.action.shell',
    NULL,
    'core',
    'Shell runtime for sh/bash script actions. Parameters are passed as ATTUNE_PARAM_* environment variables.',
    'action',
    'shell',
    '{
        "verification": {
            "commands": [
                {"binary": "bash", "args": ["--version"], "exit_code": 0, "pattern": "GNU bash", "priority": 1},
                {"binary": "sh", "args": ["-c", "exit 0"], "exit_code": 0, "priority": 2}
            ]
        },
        "interpreters": ["bash", "sh"]
    }'::jsonb,
    '{
        "package_managers": [],
        "dependencies_file": null,
        "notes": "System packages needed by shell actions must be installed on the worker host."
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;


-- ----------------------------------------------------------------------------
-- Native
-- ----------------------------------------------------------------------------
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions, installation)
VALUES (
    'core.action.native',
    NULL,
    'core',
    'Native runtime for compiled executables (Rust, Go, C). The entrypoint is executed directly.',
    'action',
    'native',
    '{
        "verification": {
            "always_available": true
        },
        "architectures": ["x86_64", "aarch64"]
    }'::jsonb,
    '{
        "package_managers": [],
        "build_required": false,
        "notes": "Binaries must be built for the worker architecture and shipped in the pack."
    }'::jsonb
)
ON CONFLICT (ref) DO NOTHING;
