"""Load a validated `ContentSet` into the database: new revisions, archives, programs."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from lms.content.loader import ContentError, ContentSet, ModuleSpec, ProgramSpec
from lms.extensions import db
from lms.models import Choice, Module, ModuleVersion, Program, ProgramModule, Question


@dataclass
class SyncReport:
    modules_added: list[str] = field(default_factory=list)
    modules_revised: list[str] = field(default_factory=list)
    modules_archived: list[str] = field(default_factory=list)
    versions_raised: list[str] = field(default_factory=list)  # slugs whose version went up
    programs_added: list[str] = field(default_factory=list)
    programs_changed: list[str] = field(default_factory=list)
    programs_archived: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        labels = {
            "modules_added": "modules added",
            "modules_revised": "modules revised",
            "versions_raised": "versions raised",
            "modules_archived": "modules archived",
            "programs_added": "programs added",
            "programs_changed": "programs changed",
            "programs_archived": "programs archived",
        }
        return [
            f"{label}: {', '.join(getattr(self, name)) or 'none'}" for name, label in labels.items()
        ]


def check_against_database(content: ContentSet) -> list[ContentError]:
    """Find problems only the database can show: a version that went down, or up without `changes`.

    DESIGN.md (Content format): `changes:` is required whenever `version` is raised,
    since everyone asked to sign again is shown it.
    """
    current = dict(
        db.session.execute(
            select(Module.slug, ModuleVersion.version)
            .join(ModuleVersion, ModuleVersion.module_id == Module.id)
            .where(ModuleVersion.is_current)
        ).all()
    )
    errors = []
    for slug, spec in content.modules.items():
        loaded = current.get(slug)
        if loaded is not None and spec.version < loaded:
            message = (
                f"version {spec.version} is lower than the loaded version {loaded}; "
                "versions only go up"
            )
        elif loaded is not None and spec.version > loaded and not spec.changes:
            message = (
                f"version raised from {loaded} to {spec.version} without 'changes': "
                "say what changed, for the people asked to sign again"
            )
        else:
            continue
        errors.append(ContentError(spec.path, spec.version_line, message))
    return errors


def sync_content(content: ContentSet) -> SyncReport:
    """Bring modules and programs in the database in line with `content` (flushes only)."""
    report = SyncReport()
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    current = {
        v.module_id: v
        for v in db.session.scalars(select(ModuleVersion).where(ModuleVersion.is_current))
    }
    for slug, spec in content.modules.items():
        module = modules.get(slug)
        if module is None:
            module = Module(slug=slug)
            db.session.add(module)
            db.session.flush()
            modules[slug] = module
            report.modules_added.append(slug)
        module.is_archived = False
        previous = current.get(module.id)
        if previous is not None and previous.content_hash == spec.content_hash:
            continue
        if previous is not None:
            previous.is_current = False
            report.modules_revised.append(slug)
            if spec.version > previous.version:
                report.versions_raised.append(slug)
        add_revision(module, spec, 1 if previous is None else previous.revision + 1)
    for slug, module in modules.items():
        if slug not in content.modules and not module.is_archived:
            module.is_archived = True
            report.modules_archived.append(slug)
    sync_programs(content.programs, modules, report)
    db.session.flush()
    return report


def add_revision(module: Module, spec: ModuleSpec, revision: int) -> ModuleVersion:
    """Store one immutable revision of a module with its question pool."""
    version = ModuleVersion(
        module_id=module.id,
        revision=revision,
        version=spec.version,
        is_current=True,
        content_hash=spec.content_hash,
        title=spec.title,
        summary=spec.summary,
        minutes=spec.minutes,
        body_html=spec.body_html,
        toc=spec.toc,
        renew_every=str(spec.renew_every) if spec.renew_every else None,
        window=str(spec.window) if spec.window else None,
        pass_mark=spec.pass_mark,
        attempts=spec.attempts,
        questions_per_attempt=spec.questions_per_attempt,
        attestation=spec.attestation,
        retrain_on_change=spec.retrain_on_change,
        question_count=len(spec.questions),
        changes=spec.changes,
        source_path=spec.path,
    )
    db.session.add(version)
    db.session.flush()
    for position, question_spec in enumerate(spec.questions, start=1):
        question = Question(
            module_version_id=version.id,
            position=position,
            prompt=question_spec.prompt,
            type=question_spec.type,
            explain=question_spec.explain,
            line=question_spec.line or None,
        )
        db.session.add(question)
        db.session.flush()
        db.session.add_all(
            Choice(
                question_id=question.id, position=n, text=c.text, is_correct=c.is_correct, why=c.why
            )
            for n, c in enumerate(question_spec.choices, start=1)
        )
    return version


def sync_programs(
    specs: dict[str, ProgramSpec], modules: dict[str, Module], report: SyncReport
) -> None:
    """Create, update and archive programs to match their files."""
    programs = {p.slug: p for p in db.session.scalars(select(Program))}
    for slug, spec in specs.items():
        program = programs.get(slug)
        if (
            program is not None
            and program.content_hash == spec.content_hash
            and not program.is_archived
        ):
            continue
        if program is None:
            program = Program(slug=slug)
            db.session.add(program)
            report.programs_added.append(slug)
        else:
            report.programs_changed.append(slug)
            db.session.execute(
                ProgramModule.__table__.delete().where(ProgramModule.program_id == program.id)
            )
        program.title, program.audience, program.due_days = spec.title, spec.audience, spec.due_days
        program.content_hash, program.is_archived = spec.content_hash, False
        db.session.flush()
        db.session.add_all(
            ProgramModule(program_id=program.id, module_id=modules[m].id, position=n)
            for n, m in enumerate(spec.modules, start=1)
        )
    for slug, program in programs.items():
        if slug not in specs and not program.is_archived:
            program.is_archived = True
            report.programs_archived.append(slug)
