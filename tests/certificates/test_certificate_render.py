"""The certificate PDF: what it says, how it is built, and that rendering touches nothing else."""

import io
from datetime import date
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from lms.certificates.render import (
    BASE_URL,
    UA_ELEMENTS,
    AssetFetcher,
    AssetRefused,
    CertificateText,
    certificate_html,
    render_certificate,
)
from tests.certificates.conftest import decode_qr

URL = "http://attest.test/verify/K7QD9XRMP2VAT3NB"
PASSWD_IMG = '<img src="file:///etc/passwd">'
HOSTNAME_LINK = '<link rel="attachment" href="file:///etc/hostname">'


def text_of(**overrides) -> CertificateText:
    fields = {
        "org_name": "Attest Demo Ltd",
        "holder_name": "Chloé García-Wójcik",
        "module_title": "Every Customer Served with Dignity",
        "version": 2,
        "score": 80,
        "completed_on": date(2025, 3, 14),
        "expires_on": date(2026, 4, 13),
        "code": "K7QD-9XRM-P2VA-T3NB",
        "verify_url": URL,
    }
    return CertificateText(**(fields | overrides))


def squash(text: str) -> str:
    """Drop all whitespace: WeasyPrint wraps long names and URLs across lines."""
    return "".join(text.split())


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader, reader.pages[0].extract_text()


def images_and_fonts(reader: PdfReader) -> tuple[list[str], list[str]]:
    resources = reader.pages[0]["/Resources"]
    xobjects = resources.get("/XObject", {})
    images = [k for k, v in xobjects.items() if v.get_object()["/Subtype"] == "/Image"]
    fonts = [v.get_object()["/BaseFont"] for v in resources["/Font"].values()]
    return images, fonts


def test_certificate_names_everything_it_certifies():
    reader, text = read(render_certificate(text_of()))
    for expected in [
        "ATTEST DEMO LTD",
        "Certificate of Completion",
        "Chloé García-Wójcik",
        "Every Customer Served with Dignity",
        "Version 2 · quiz score 80%",
        "14 Mar 2025",
        "13 Apr 2026",
        "K7QD-9XRM-P2VA-T3NB",
        URL,
    ]:
        assert squash(expected) in squash(text), expected
    assert (
        reader.metadata.title
        == "Certificate K7QD-9XRM-P2VA-T3NB: Every Customer Served with Dignity"
    )
    assert reader.metadata.author == "Attest Demo Ltd"


class TagNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.names.add(tag)


@pytest.mark.parametrize("expires_on, score", [(date(2026, 4, 13), 80), (None, None)])
def test_the_template_uses_only_elements_the_certificate_user_agent_stylesheet_knows(
    expires_on, score
):
    # Its own user-agent stylesheet replaces WeasyPrint's: any other element would render
    # without its HTML meaning. Hostile text stays text, so it adds no elements.
    parser = TagNames()
    parser.feed(
        certificate_html(text_of(holder_name=PASSWD_IMG, expires_on=expires_on, score=score))
    )
    assert parser.names <= UA_ELEMENTS
    assert {"html", "body", "h1", "p", "img"} <= parser.names


def test_one_time_training_and_a_module_without_quiz_say_so():
    _, text = read(render_certificate(text_of(expires_on=None, score=None)))
    assert "does not expire" in text.lower()
    assert "read and attested" in text
    assert "score" not in text


def test_certificate_is_a4_landscape_unencrypted_with_its_own_fonts_embedded():
    reader, _ = read(render_certificate(text_of()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # 297 x 210 mm
    assert not reader.is_encrypted
    _, fonts = images_and_fonts(reader)
    assert sorted(f.split("+")[1] for f in fonts) == ["Cert-Sans", "Cert-Serif-Bold"]
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor  # embedded (subset) TrueType


def test_qr_code_encodes_the_exact_verify_url(tmp_path):
    pdf = render_certificate(text_of())
    assert decode_qr(pdf, tmp_path) == [URL]
    images, _ = images_and_fonts(read(pdf)[0])
    assert len(images) == 1  # the QR code, and nothing else


def test_hostile_name_and_title_are_printed_as_text_and_nothing_is_fetched_or_embedded(tmp_path):
    fetcher = AssetFetcher()
    hostile = text_of(
        holder_name=f"Erin {PASSWD_IMG} Example",
        module_title=f"Dignity {HOSTNAME_LINK}",
        org_name='Org <style>@import "http://example.com/x.css";</style>',
    )
    pdf = render_certificate(hostile, fetcher)

    assert fetcher.refused == []
    assert fetcher.served == [BASE_URL + "qr.png"]  # fonts and stylesheet were loaded at start-up
    reader, text = read(pdf)
    assert squash(f"Erin {PASSWD_IMG} Example") in squash(text)
    assert squash(f"Dignity {HOSTNAME_LINK}") in squash(text)
    assert squash('ORG <STYLE>@IMPORT "HTTP://EXAMPLE.COM/X.CSS";</STYLE>') in squash(text)
    assert reader.attachments == {}
    assert "/Names" not in reader.trailer["/Root"]  # no embedded files at all
    assert "/Annots" not in reader.pages[0]
    images, _ = images_and_fonts(reader)
    assert len(images) == 1
    assert b"root:" not in pdf  # no trace of /etc/passwd
    assert decode_qr(pdf, tmp_path) == [URL]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/lms/static/certificates/certificate.css",  # our own file, by path
        "http://example.com/logo.png",
        "https://example.com/x.css",
        "data:text/plain;base64,aGVsbG8=",
        "ftp://example.com/x",
        BASE_URL + "../../etc/passwd",
        BASE_URL + "fonts/../certificate.css",
        BASE_URL + "certificate.css?x=1",
        BASE_URL + "other.css",
        "https://assets.attest.invalid/elsewhere/certificate.css",
        "http://assets.attest.invalid/certificates/certificate.css",
    ],
)
def test_fetcher_refuses_everything_but_the_certificate_assets(url):
    fetcher = AssetFetcher()
    with pytest.raises(AssetRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_listed_assets_from_memory():
    fetcher = AssetFetcher()
    response = fetcher.fetch(BASE_URL + "certificate.css")
    assert b"@font-face" in response.read()
    assert response.content_type == "text/css"
    assert fetcher.served == [BASE_URL + "certificate.css"]


def test_raw_html_asking_for_files_gets_nothing_through_the_fetcher():
    """Even markup that escaped the template could not read a file or attach one."""
    fetcher = AssetFetcher()
    html = (
        f"<p>x</p>{PASSWD_IMG}{HOSTNAME_LINK}"
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="http://127.0.0.1:9/tracker.png">'
        '<link rel="stylesheet" href="https://example.com/x.css">'
    )
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    assert fetcher.served == []
    assert sorted(fetcher.refused) == sorted(
        [
            "file:///etc/passwd",
            "file:///etc/hostname",
            "data:image/png;base64,iVBORw0KGgo=",
            "http://127.0.0.1:9/tracker.png",
            "https://example.com/x.css",
        ]
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    assert reader.pages[0]["/Resources"].get("/XObject", {}) == {}
