"""Plain factory functions with keyword overrides."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import yaml

from lms.extensions import db
from lms.models import User
from lms.people.operations import create_user

PASSWORD = "correct horse battery"

QUIZ = [
    {
        "q": "A customer asks a question you cannot answer. What do you do?",
        "choices": [
            "Guess, to keep things moving",
            {"text": "Say you will find out, then do", "correct": True},
            "Tell them to look it up",
        ],
        "explain": "Honesty means saying what you do not know and then finding out.",
    },
    {
        "q": "Which of these are part of treating a customer with dignity?",
        "type": "multiple",
        "choices": [
            {"text": "Listening before answering", "correct": True},
            {"text": "Giving them space", "correct": True},
            "Serving big spenders first",
        ],
        "explain": "Dignity is for every customer, whatever they spend.",
    },
    {
        "q": "Someone walks in while you are busy. What does the policy ask?",
        "choices": [
            {"text": "Acknowledge them now", "correct": True},
            "Carry on until you are free",
        ],
        "explain": "Every visitor is acknowledged promptly.",
    },
]


def module_text(**overrides) -> str:
    meta = {
        "title": "Every Customer Served with Dignity",
        "version": 1,
        "retrain_on_change": True,
        "summary": "How we treat every customer.",
        "minutes": 5,
        "renew_every": "1 year",
        "window": "30 days",
        "pass_mark": 100,
        "attempts": 2,
        "questions_per_attempt": 2,
        "attestation": "I will treat every customer with dignity.",
        "quiz": QUIZ,
    }
    body = overrides.pop(
        "body",
        "# Dignity\n\n## Why it matters\n\nEvery customer counts.\n\n## What we do\n\nWe listen.\n",
    )
    for key, value in overrides.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{body}"


def write_module(root: Path, slug: str = "dignity", text: str | None = None, **overrides) -> Path:
    path = root / "modules" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else module_text(**overrides), encoding="utf-8")
    return path


def write_program(
    root: Path, slug: str = "onboarding", text: str | None = None, **overrides
) -> Path:
    data = {"title": "Onboarding", "modules": ["dignity"], "audience": "all", "due_days": 30}
    data.update(overrides)
    path = root / "programs" / f"{slug}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        text if text is not None else yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )
    return path


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def make_employee(today: date | None = None, **overrides) -> User:
    fields = {
        "email": "erin@example.com",
        "full_name": "Erin Example",
        "employee_id": None,
        "department": "Stores",
        "role": "Sales Associate",
        "hire_date": None,
        "password": PASSWORD,
    }
    fields.update(overrides)
    user = create_user(today=today or date.today(), **fields)
    db.session.commit()
    return user
