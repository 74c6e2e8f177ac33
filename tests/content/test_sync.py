"""`flask lms sync-content`: validate everything first, load idempotently, keep history."""

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, Program, Question
from tests.factories import make_employee, module_text, write_module, write_program


def table_counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Module, ModuleVersion, Question, Program, Assignment)
    }


def sync(runner, *args):
    return runner.invoke(args=["lms", "sync-content", *args])


def test_sync_loads_modules_and_programs(runner, app):
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "modules added: dignity" in result.output
    version = db.session.scalar(select(ModuleVersion))
    assert version.title == "Every Customer Served with Dignity"
    assert version.question_count == 3
    assert '<h2 id="why-it-matters">' in version.body_html


def test_sync_is_idempotent(runner, app):
    sync(runner)
    before = table_counts()
    result = sync(runner)
    assert result.exit_code == 0
    assert "modules added: none" in result.output and "modules revised: none" in result.output
    assert table_counts() == before


def test_bad_content_changes_nothing_and_exits_non_zero(runner, app, content_dir):
    sync(runner)
    make_employee()
    before = table_counts()
    write_module(content_dir, text=module_text(title="New title", version=2))
    write_module(content_dir, "broken", text="---\ntitle: [\n---\n")
    result = sync(runner)
    assert result.exit_code == 1
    assert "content/modules/broken.md:" in result.output
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert table_counts() == before
    assert db.session.scalar(select(ModuleVersion.title).where(ModuleVersion.is_current)) == (
        "Every Customer Served with Dignity"
    )


def test_dry_run_reports_but_changes_nothing(runner, app):
    result = sync(runner, "--dry-run")
    assert result.exit_code == 0
    assert "modules added: dignity" in result.output and "dry run" in result.output
    assert table_counts()["Module"] == 0


def test_an_edit_makes_a_new_revision_and_keeps_the_old(runner, app, content_dir):
    sync(runner)
    write_module(content_dir, text=module_text(summary="Reworded."))
    result = sync(runner)
    assert "modules revised: dignity" in result.output
    versions = db.session.scalars(select(ModuleVersion).order_by(ModuleVersion.revision)).all()
    assert [(v.revision, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert "versions raised: none" in result.output


def test_a_lowered_version_is_refused(runner, app, content_dir):
    write_module(content_dir, text=module_text(version=3))
    sync(runner)
    write_module(content_dir, text=module_text(version=2))
    result = sync(runner)
    assert result.exit_code == 1
    assert (
        "content/modules/dignity.md:3: version 2 is lower than the loaded version 3"
        in result.output
    )


def test_a_deleted_module_is_archived_not_deleted(runner, app, content_dir):
    write_module(content_dir, "extra")
    sync(runner)
    (content_dir / "modules" / "extra.md").unlink()
    result = sync(runner)
    assert "modules archived: extra" in result.output
    assert db.session.scalar(select(Module.is_archived).where(Module.slug == "extra")) is True
    write_module(content_dir, "extra")
    sync(runner)
    assert db.session.scalar(select(Module.is_archived).where(Module.slug == "extra")) is False


def test_sync_assigns_programs_to_everyone_in_the_audience(runner, app, content_dir):
    sync(runner)
    erin = make_employee()
    make_employee(email="olu@example.com", full_name="Olu Online", department="Online")
    write_module(content_dir, "stores-only")
    write_program(
        content_dir, "stores", modules=["stores-only"], audience={"departments": ["Stores"]}
    )
    result = sync(runner)
    assert "assignments: 1 created" in result.output
    assigned = db.session.execute(
        select(Assignment.user_id, Module.slug).join(Module).where(Module.slug == "stores-only")
    ).all()
    assert assigned == [(erin.id, "stores-only")]
