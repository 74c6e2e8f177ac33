"""Helpers for the import tests: CSV bytes from rows, and people to import into."""

from __future__ import annotations

HEADER = "employee_id,email,full_name,department,role,hire_date,manager_email"


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False, newline: str = "\n") -> bytes:
    """Join a header and data lines into the bytes of a UTF-8 CSV file."""
    text = newline.join([header, *lines]) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def row(
    employee_id: str = "E1",
    email: str = "ana@example.com",
    full_name: str = "Ana Lima",
    department: str = "Stores",
    role: str = "Cashier",
    hire_date: str = "2026-03-02",
    manager_email: str = "",
) -> str:
    return ",".join([employee_id, email, full_name, department, role, hire_date, manager_email])
