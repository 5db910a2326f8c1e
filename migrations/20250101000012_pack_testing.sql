-- 20250101000012_pack_testing.sql
-- Pack_test_results table
--
-- Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file.
-- Legacy sources:
--   20250101000005_supporting_tables.sql

-- ============================================================================
-- PACK_TEST_RESULTS
-- ============================================================================
-- A pack may ship a test suite (tests/ in the pack); it is run when the
-- pack is installed or updated, and on demand.  One row per run.
CREATE TABLE pack_test_results (
    id              BIGSERIAL PRIMARY KEY,
    pack            BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_version    TEXT NOT NULL,
    execution_time  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    trigger_reason  TEXT NOT NULL,
    total_tests     INTEGER NOT NULL,
    passed          INTEGER NOT NULL,
    failed          INTEGER NOT NULL,
    skipped         INTEGER NOT NULL,
    pass_rate       NUMERIC(5, 4) NOT NULL,
    duration_ms     BIGINT NOT NULL,
    result          JSONB NOT NULL,
    created         TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated         TIMESTAMPTZ NOT NULL DEFAULT NOW(),

    CONSTRAINT pack_test_results_reason_valid CHECK (trigger_reason IN ('install', 'update', 'manual', 'validation')),
    CONSTRAINT pack_test_results_counts_non_negative CHECK (total_tests >= 0 AND passed >= 0 AND failed >= 0 AND skipped >= 0),
    CONSTRAINT pack_test_results_counts_add_up CHECK (passed + failed + skipped = total_tests),
    CONSTRAINT pack_test_results_pass_rate_range CHECK (pass_rate >= 0 AND pass_rate <= 1),
    CONSTRAINT pack_test_results_duration_non_negative CHECK (duration_ms >= 0)
);

CREATE INDEX idx_pack_test_results_pack ON pack_test_results (pack);
CREATE INDEX idx_pack_test_results_time ON pack_test_results (execution_time DESC);
CREATE INDEX idx_pack_test_results_pack_time ON pack_test_results (pack, execution_time DESC);
CREATE INDEX idx_pack_test_results_pack_version ON pack_test_results (pack, pack_version);
CREATE INDEX idx_pack_test_results_failures ON pack_test_results (pack, execution_time DESC) WHERE failed > 0;

CREATE TRIGGER update_pack_test_results_updated
    BEFORE UPDATE ON pack_test_results
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();

COMMENT ON TABLE pack_test_results IS 'One run of a pack''s test suite';
COMMENT ON COLUMN pack_test_results.pack IS 'Pack that was tested';
COMMENT ON COLUMN pack_test_results.pack_version IS 'Pack version at the time of the run';
COMMENT ON COLUMN pack_test_results.execution_time IS 'When the test run started';
COMMENT ON COLUMN pack_test_results.trigger_reason IS 'Why the tests ran: install, update, manual or validation';
COMMENT ON COLUMN pack_test_results.total_tests IS 'Number of tests discovered (passed + failed + skipped)';
COMMENT ON COLUMN pack_test_results.pass_rate IS 'passed / total_tests (1.0 when there are no tests)';
COMMENT ON COLUMN pack_test_results.duration_ms IS 'Wall-clock duration of the whole run in milliseconds';
COMMENT ON COLUMN pack_test_results.result IS 'Full structured result: per-suite and per-test outcomes with output';
