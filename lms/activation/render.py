"""Print activation letters to one PDF with WeasyPrint, touching nothing but the app's assets.

The same sandbox as certificates (lms.certificates.render): a Jinja template
with autoescaping, and a URL fetcher that serves only letters.css, the DejaVu
fonts and the QR images made for this render, refusing every other URL
(file:, http(s):, data:, any other path), so no render reads the file system
or reaches the network.

Memory stays flat however many letters: WeasyPrint lays out a whole document
at once (its boxes for 1,000 pages would be hundreds of MB), so letters are
rendered CHUNK at a time and the chunks' PDFs appended with pypdf, whose
pages cost little. `bench/letters.py` measures time and peak memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from PIL import Image
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from lms.activation.operations import Letter
from lms.certificates.render import FONTS, AssetFetcher, _lock
from lms.dates import format_date

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_URL = "https://assets.attest.invalid/activation/"  # never contacted (.invalid, RFC 2606)
ASSETS = {
    "letters.css": (PACKAGE_DIR / "static" / "activation" / "letters.css", "text/css"),
    **FONTS,
}
CHUNK = 50  # letters per WeasyPrint document: a few MB of layout at a time

_jinja = Environment(
    loader=FileSystemLoader(PACKAGE_DIR / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)
_jinja.filters["date"] = format_date
_shared: dict[str, object] = {}
# The user-agent stylesheet: as for certificates, only the elements the template uses (a
# fraction of WeasyPrint's default two hundred rules, matched against every element).
UA_STYLESHEET = """
head, title, meta { display: none }
html, body, div, p, h1 { display: block }
"""


class LetterHTML(HTML):
    """Letters' HTML, laid out with UA_STYLESHEET as the user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [_shared["ua"]]


class LetterFetcher(AssetFetcher):
    """Serve letters.css, the fonts and this render's QR images; refuse every other URL."""

    base_url = BASE_URL
    assets = ASSETS
    documents = "letters"


def _stylesheet() -> tuple[CSS, FontConfiguration]:
    if "css" not in _shared:
        font_config = FontConfiguration()
        _shared["css"] = CSS(
            url=BASE_URL + "letters.css", url_fetcher=LetterFetcher(), font_config=font_config
        )
        _shared["font_config"] = font_config
        _shared["ua"] = CSS(string=UA_STYLESHEET)
    return _shared["css"], _shared["font_config"]


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a 1-bit PNG, one pixel a module, quiet zone included.

    The stylesheet scales it up. Pillow (WeasyPrint's own image library) writes
    the PNG from segno's matrix: segno's pure-Python PNG writer was a tenth of a
    letter's time. One fixed mask, as for certificates (lms.certificates.render).
    """
    qr = segno.make(url, error="m", micro=False, mask=4)
    border = 4
    width, height = (size + 2 * border for size in qr.symbol_size(scale=1, border=0))
    image = Image.new("1", (width, height), 1)
    image.putdata(
        [0 if dark else 1 for row in qr.matrix_iter(scale=1, border=border) for dark in row]
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def letters_html(letters: list[Letter], *, org_name: str, base_url: str) -> str:
    """Return the HTML of these letters, one A4 page each; every value is escaped."""
    return _jinja.get_template("activation/print.html").render(
        letters=list(enumerate(letters)),
        org_name=org_name,
        activate_url=base_url.rstrip("/") + "/activate",
    )


def chunks(letters: list[Letter]) -> Iterator[list[Letter]]:
    for start in range(0, len(letters), CHUNK):
        yield letters[start : start + CHUNK]


def render_chunk(letters: list[Letter], *, org_name: str, base_url: str) -> bytes:
    fetcher = LetterFetcher(
        {f"qr-{n}.png": (qr_png(letter.url), "image/png") for n, letter in enumerate(letters)}
    )
    html = letters_html(letters, org_name=org_name, base_url=base_url)
    with _lock:  # WeasyPrint shares Pango and Fontconfig state between threads
        css, font_config = _stylesheet()
        document = LetterHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[css], font_config=font_config)


def render_letters(letters: Iterable[Letter], *, org_name: str, base_url: str, out) -> int:
    """Write the letters as one PDF to the binary file `out`; return how many pages."""
    letters = list(letters)
    writer = PdfWriter()
    if not letters:
        raise ValueError("no letters to print")
    for chunk in chunks(letters):
        writer.append(
            PdfReader(io.BytesIO(render_chunk(chunk, org_name=org_name, base_url=base_url)))
        )
    writer.add_metadata({"/Title": f"{org_name}: Attest activation letters"})
    writer.write(out)
    return len(writer.pages)


def letters_pdf(letters: list[Letter], *, org_name: str, base_url: str) -> bytes:
    out = io.BytesIO()
    render_letters(letters, org_name=org_name, base_url=base_url, out=out)
    return out.getvalue()
