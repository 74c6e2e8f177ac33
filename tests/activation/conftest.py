import subprocess

import pytest
from pypdf import PdfReader

from tests.factories import make_employee


@pytest.fixture
def team(synced):
    """HR, two managers, three people without email (two in Mona's team) and one with."""
    people = {
        "hana": make_employee(
            email="hr@example.com", full_name="Hana Reyes", is_hr=True, employee_id="H1"
        ),
        "mona": make_employee(email="mona@example.com", full_name="Mona Manager"),
        "priya": make_employee(email="priya@example.com", full_name="Priya Manager"),
    }
    for key, name, manager, department in [
        ("sam", "Sam Till", "mona@example.com", "Stores"),
        ("tia", "Tia Till", "mona@example.com", "Stores"),
        ("uma", "Uma Drive", "priya@example.com", "Delivery"),
    ]:
        people[key] = make_employee(
            email=None,
            employee_id=f"E-{key}",
            full_name=name,
            manager_email=manager,
            department=department,
            password=None,
        )
    people["erin"] = make_employee(
        employee_id="E-erin", manager_email="mona@example.com", password=None
    )
    return people


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    return [page.extract_text() for page in PdfReader(path).pages]


def page_qr(pdf: bytes, tmp_path, page: int = 1) -> list[str]:
    """Rasterise one page (pdftoppm) and decode its QR codes (zbarimg)."""
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            path,
            tmp_path / "page",
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", tmp_path / "page.png"], capture_output=True, text=True
    )
    return result.stdout.split()


def code_on(text: str) -> str:
    """The activation code printed on a letter's text."""
    import re

    return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group()


def login(client, name, password):
    client.post("/logout")
    response = client.post("/login", data={"email": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
