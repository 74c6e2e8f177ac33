"""Any content folder is loaded, or refused with `path:line: message` and the database untouched.

Module files are the test content with any front-matter key set to any YAML value
(huge numbers, NUL characters, nested lists, periods of any length) and any body;
program files likewise; and files of arbitrary bytes. `load_content` never raises,
every problem names its file and a line in it, and `flask lms sync-content` either
loads the folder or changes nothing.
"""

from __future__ import annotations

import re
import shutil

from hypothesis import example, given
from hypothesis import strategies as st

from lms.content.loader import load_content
from lms.extensions import db
from tests.factories import module_text, write_module, write_program
from tests.input.properties import PURE, THROUGH_DB

ERROR = re.compile(r"(content/(modules|programs)/[^:]+):([1-9]\d*): .+", re.DOTALL)
MODULE_KEYS = [
    "title",
    "version",
    "retrain_on_change",
    "summary",
    "minutes",
    "renew_every",
    "window",
    "pass_mark",
    "attempts",
    "questions_per_attempt",
    "attestation",
    "quiz",
    "changes",
    "extra",
]
PROGRAM_KEYS = ["title", "modules", "audience", "due_days", "extra"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, -1, 2**31, 2**63, 10**30])
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["1 year", "30 days", "99999 years", "10**9 days", "0 days", "x\x00y", ""])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def assert_located(errors, root) -> None:
    """Every problem is `path:line: message`, with a line inside that file."""
    for error in errors:
        found = ERROR.fullmatch(str(error))
        assert found, str(error)
        path = root.parent / found.group(1)
        lines = len(path.read_bytes().splitlines()) if path.exists() else 0
        assert 1 <= int(found.group(3)) <= max(lines, 1) + 1, str(error)


@PURE
@given(st.dictionaries(st.sampled_from(MODULE_KEYS), values, max_size=3), st.text(max_size=60))
def test_any_module_front_matter_and_body_load_or_give_located_problems(
    tmp_path_factory, overrides, body
):
    root = tmp_path_factory.mktemp("content") / "content"
    text = module_text(**{k: v for k, v in overrides.items() if v is not None})
    write_module(root, text=text.rsplit("---\n", 1)[0] + "---\n" + body)
    write_program(root)
    assert_located(load_content(root).errors, root)


@PURE
@given(st.dictionaries(st.sampled_from(PROGRAM_KEYS), values, max_size=3))
def test_any_program_loads_or_gives_located_problems(tmp_path_factory, overrides):
    root = tmp_path_factory.mktemp("content") / "content"
    write_module(root)
    write_program(root, **overrides)
    assert_located(load_content(root).errors, root)


@PURE
@given(st.binary(max_size=300), st.sampled_from(["modules/x.md", "programs/x.yaml"]))
def test_any_bytes_as_a_content_file_load_or_give_located_problems(tmp_path_factory, data, name):
    root = tmp_path_factory.mktemp("content") / "content"
    write_module(root)
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)
    assert_located(load_content(root).errors, root)


def snapshot() -> dict[str, list]:
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


# One or two settings pushed to an edge; the rest as in the test content.
edges = st.dictionaries(
    st.sampled_from(
        [
            "version",
            "minutes",
            "attempts",
            "questions_per_attempt",
            "pass_mark",
            "renew_every",
            "window",
            "title",
            "summary",
            "attestation",
        ]
    ),
    st.sampled_from(
        [
            1,
            2,
            100,
            2**31,
            2**63,
            10**30,
            "1 year",
            "30 days",
            "1200 months",
            "99999 years",
            "100 years",
            "x\x00y",
            "Title",
        ]
    ),
    min_size=1,
    max_size=2,
)


@THROUGH_DB
@given(edges, st.sampled_from(["Body.\n", "Bo\x00dy\n", "# T\n\n" + "x" * 200 + "\n"]))
@example({"version": 10**30}, "Body.\n")  # overflowed the version column
@example({"renew_every": "99999 years", "window": "30 days"}, "Body.\n")  # overflowed dates
@example({"title": "Dig\x00nity"}, "Body.\n")  # PostgreSQL raised; SQLite stored the NUL
@example({}, "Bo\x00dy\n")  # the same, in the body
def test_sync_content_loads_or_refuses_and_changes_nothing(
    app, runner, content_dir, overrides, body
):
    db.session.rollback()
    shutil.rmtree(content_dir / "modules")
    text = module_text(**overrides)
    write_module(content_dir, text=text.rsplit("---\n", 1)[0] + "---\n" + body)
    before = snapshot()
    result = runner.invoke(args=["lms", "sync-content"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code != 0:
        assert "nothing was changed" in result.output
        assert_located(
            [line for line in result.output.splitlines() if line.startswith("content/")],
            content_dir,
        )
        assert snapshot() == before
    db.session.rollback()
