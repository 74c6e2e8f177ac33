"""Render a certificate to PDF with WeasyPrint, touching nothing but the app's own assets.

Safety: the HTML comes from a Jinja template with autoescaping on, so a name
or title is always text, never markup; and WeasyPrint is given a URL fetcher
that answers only for the stylesheet and fonts listed in `ASSETS`, read from
`lms/static/certificates/`, and refuses everything else (file:, http(s):,
data:, any other host or path), so no render can read the file system or
reach the network. The QR code is a PNG made for each render (one pixel a
module, drawn without smoothing) that the same fetcher serves at one fixed URL.

Speed: the stylesheet is parsed, and its fonts registered with one
`FontConfiguration`, once per process; each render then only lays out and
writes the page (and, with HarfBuzz's subsetter installed, subsets fonts in C).
WeasyPrint's own user-agent stylesheet, which styles all of HTML, is replaced
by `UA_STYLESHEET`, which gives the few elements the template uses their HTML
display and nothing else; certificate.css styles everything else.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.dates import format_date

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ASSET_DIR = PACKAGE_DIR / "static" / "certificates"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
# Never resolved or contacted: `.invalid` is reserved (RFC 2606), and the
# fetcher below answers for these exact URLs from memory.
BASE_URL = "https://assets.attest.invalid/certificates/"
FONTS = {  # the letters use them too (lms.activation.render)
    "fonts/DejaVuSerif-Bold.ttf": (ASSET_DIR / "fonts" / "DejaVuSerif-Bold.ttf", "font/ttf"),
    "fonts/DejaVuSans.ttf": (ASSET_DIR / "fonts" / "DejaVuSans.ttf", "font/ttf"),
}
ASSETS = {"certificate.css": (ASSET_DIR / "certificate.css", "text/css"), **FONTS}
QR_NAME = "qr.png"  # made for each render, see render_certificate
# Every one of the eight QR masks is valid and every reader decodes any of them; choosing
# the "best" one by the standard's penalty score costs a fifth of a render, so use one.
QR_MASK = 4
# The user-agent stylesheet: WeasyPrint's default matches some two hundred rules against
# every element (and makes PDF bookmarks of headings); this one is all the template needs,
# measured at a tenth of a render less. The elements it knows are the only ones the
# template may use (a test holds it to that): an element it does not name would lose its
# HTML meaning (a <strong> would not be bold, a <br> would not break).
UA_ELEMENTS = frozenset({"html", "head", "title", "meta", "body", "div", "p", "h1", "img"})
UA_STYLESHEET = """
head, title, meta { display: none }
html, body, div, p, h1 { display: block }
"""


class AssetRefused(ValueError):
    """A render asked for a URL outside the certificate assets."""


class AssetFetcher(URLFetcher):
    """Serve the certificate assets from memory and refuse every other URL.

    `extra` adds files made for one render (the QR code) under BASE_URL.
    `served` and `refused` list the URLs asked for, for tests and logs.
    The one sandbox of every PDF: another renderer (lms.activation.render)
    subclasses it naming only its own `base_url` and `assets`.
    """

    base_url = BASE_URL
    assets: dict[str, tuple[Path, str]] = ASSETS  # name under base_url: (file, content type)
    documents = "certificates"  # what it renders, as its refusal names them
    _cache: dict[Path, bytes] = {}  # read once per process, whichever renderer asks

    def __init__(self, extra: dict[str, tuple[bytes, str]] | None = None) -> None:
        # No protocol and no redirect, should anything reach the parent's fetch.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.extra = extra or {}
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        asset = self._asset(url)
        if asset is None:
            self.refused.append(url)
            raise AssetRefused(f"{self.documents} may only use their own assets, not {url[:200]!r}")
        self.served.append(url)
        body, content_type = asset
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _asset(self, url: str) -> tuple[bytes, str] | None:
        if not url.startswith(self.base_url):
            return None
        name = url.removeprefix(self.base_url)
        if name in self.extra:
            return self.extra[name]
        if name not in self.assets:  # an exact match: no "..", no query, no other file
            return None
        path, content_type = self.assets[name]
        if path not in self._cache:
            self._cache[path] = path.read_bytes()
        return self._cache[path], content_type


@dataclass(frozen=True)
class CertificateText:
    """Everything printed on a certificate, as plain values."""

    org_name: str
    holder_name: str
    module_title: str
    version: int
    score: int | None
    completed_on: date
    expires_on: date | None
    code: str  # grouped for people, e.g. K7QD-9XRM-P2VA-T3NB
    verify_url: str


_jinja = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_jinja.filters["date"] = format_date
_lock = threading.Lock()
_shared: dict[str, object] = {}


class CertificateHTML(HTML):
    """A certificate's HTML, laid out with UA_STYLESHEET as the user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [_shared["ua"]]


def _stylesheets_and_fonts() -> tuple[CSS, FontConfiguration]:
    """Return the parsed stylesheet and the font configuration, made once per process.

    The user-agent stylesheet and a fetcher for renders that bring none are made too.
    """
    if "css" not in _shared:
        font_config = FontConfiguration()
        css = CSS(
            url=BASE_URL + "certificate.css", url_fetcher=AssetFetcher(), font_config=font_config
        )
        _shared.update(
            css=css, font_config=font_config, ua=CSS(string=UA_STYLESHEET), fetcher=AssetFetcher()
        )
    return _shared["css"], _shared["font_config"]


def qr_png(url: str) -> bytes:
    """Return the QR code of `url` as a PNG of one pixel per module, quiet zone included.

    Error correction level M; the stylesheet scales it up without smoothing.
    A bitmap costs WeasyPrint far less than the equivalent SVG path.
    """
    out = io.BytesIO()
    segno.make(url, error="m", micro=False, mask=QR_MASK).save(
        out, kind="png", scale=1, border=4, dark="#1b2b48"
    )
    return out.getvalue()


def certificate_html(text: CertificateText) -> str:
    """Return the certificate's HTML; every value in `text` is escaped."""
    return _jinja.get_template("certificates/certificate.html").render(c=text, qr_src=QR_NAME)


def render_certificate(text: CertificateText, fetcher: AssetFetcher | None = None) -> bytes:
    """Return the PDF of one certificate: A4 landscape, fonts embedded, not encrypted."""
    html = certificate_html(text)
    qr_code = (qr_png(text.verify_url), "image/png")
    with _lock:  # WeasyPrint shares Pango and Fontconfig state between threads
        css, font_config = _stylesheets_and_fonts()
        if fetcher is None:
            # One per process: making a fetcher builds a urllib opener, a few percent of a render.
            fetcher = _shared["fetcher"]
            fetcher.served.clear()
            fetcher.refused.clear()
        fetcher.extra[QR_NAME] = qr_code
        document = CertificateHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[css], font_config=font_config)
