-- ============================================================================
-- Migration: Add Is Adhoc Flag
-- Version:   20260129140130
-- Date:      2026-01-29
--
-- Purpose:
--   Distinguish content created ad hoc through the API or UI from content
--   loaded from a pack's files on disk.  Pack (re)installation replaces
--   everything it loaded, so it must leave ad hoc actions, sensors and
--   rules alone; the UI also shows them with an "ad hoc" badge and allows
--   editing them in place.
--
-- Changes:
--   * action.is_adhoc, sensor.is_adhoc, rule.is_adhoc (default FALSE: all
--     existing rows came from pack files)
--   * partial indexes over the (few) ad hoc rows
-- ============================================================================


ALTER TABLE action ADD COLUMN is_adhoc BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE sensor ADD COLUMN is_adhoc BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE rule ADD COLUMN is_adhoc BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX idx_action_is_adhoc ON action (is_adhoc) WHERE is_adhoc = true;
CREATE INDEX idx_sensor_is_adhoc ON sensor (is_adhoc) WHERE is_adhoc = true;
CREATE INDEX idx_rule_is_adhoc ON rule (is_adhoc) WHERE is_adhoc = true;

COMMENT ON COLUMN action.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';
COMMENT ON COLUMN sensor.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';
COMMENT ON COLUMN rule.is_adhoc IS 'True if created through the API/UI rather than loaded from pack files; kept on pack reinstall';
