import pytest

from attune_tui.core.plan import Extraction, Plan, PlanError, check_plan, dump_plan, initial_plan, load_plan


def sample() -> Plan:
    p = initial_plan(["20250101000001_a.sql", "20250101000002_b.sql"], {"20250101000001_a.sql": "a"})
    p.targets[0].purpose = "Enums, extensions: and a colon"
    p.assign["20250101000002_b.sql"] = "yaml"
    p.overrides["table:x"] = "20250101000001_a.sql"
    p.extract.append(Extraction("runtime", "packs/core/runtimes", "{name}.yaml", "name", ["id", "created"]))
    p.checklist = {"test_command": "pytest -q", "state": {"backup": {"status": "passed"}}}
    return p


def test_export_import_export_gives_identical_bytes():
    text = dump_plan(sample())
    again = dump_plan(load_plan(text))
    assert again == text
    assert text.index("source:") < text.index("targets:") < text.index("assign:") < text.index("overrides:")


@pytest.mark.parametrize("mutate,fragment", [
    (lambda t: t + "bogus: 1\n", "unknown key 'bogus'"),
    (lambda t: t.replace("file: 20250101000001_a.sql", "file: ../escape.sql"), "escapes the output folder"),
    (lambda t: t.replace("file: 20250101000001_a.sql", "file: /etc/x.sql"), "escapes the output folder"),
    (lambda t: t.replace("table:x: 20250101000001_a.sql", "table:x: 0009_nope.sql"), "unknown target '0009_nope.sql'"),
    (lambda t: t.replace("targets:", "targets: [unclosed"), "malformed YAML"),
    (lambda t: "- just\n- a list\n", "expected a mapping"),
    (lambda t: t.replace("to: packs/core/runtimes", "to: ../../outside"), "escapes the project folder"),
])
def test_bad_plans_are_one_clear_sentence(mutate, fragment):
    with pytest.raises(PlanError) as e:
        load_plan(mutate(dump_plan(sample())), "consolidation.plan.yaml")
    msg = str(e.value)
    assert fragment in msg and msg.startswith("consolidation.plan.yaml") and "\n" not in msg


def test_assignment_of_a_missing_migration_is_an_error():
    with pytest.raises(PlanError, match="assigns 20250101000002_b.sql, which is not in migrations.old"):
        check_plan(sample(), ["20250101000001_a.sql"])


def test_malformed_yaml_names_the_line():
    with pytest.raises(PlanError, match=r"line \d+: malformed YAML"):
        load_plan("source: a\ntargets:\n  - file: [x\n")
