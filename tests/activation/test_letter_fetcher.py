"""Activation letters render in the certificates' sandbox: nothing fetched but their own assets."""

import pytest
from weasyprint import HTML

from lms.activation.render import BASE_URL, LetterFetcher
from lms.certificates.render import AssetFetcher, AssetRefused


def test_letters_use_the_certificates_fetcher_and_only_name_their_assets():
    """One sandbox: the letters' fetcher adds no code of its own to fetch or match URLs."""
    assert LetterFetcher.fetch is AssetFetcher.fetch
    assert LetterFetcher._asset is AssetFetcher._asset


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/lms/static/activation/letters.css",  # our own file, by path
        "http://example.com/logo.png",
        "data:text/plain;base64,aGVsbG8=",
        BASE_URL + "../../etc/passwd",
        BASE_URL + "fonts/../letters.css",
        BASE_URL + "letters.css?x=1",
        BASE_URL + "qr-0.png",  # no QR image made for this render
        "https://assets.attest.invalid/certificates/certificate.css",  # the certificates' own
        "http://assets.attest.invalid/activation/letters.css",
    ],
)
def test_the_letters_fetcher_refuses_everything_but_the_letter_assets(url):
    fetcher = LetterFetcher()
    with pytest.raises(AssetRefused, match="^letters may only use their own assets"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_letters_fetcher_serves_its_stylesheet_fonts_and_this_renders_images():
    fetcher = LetterFetcher({"qr-0.png": (b"png", "image/png")})
    css = fetcher.fetch(BASE_URL + "letters.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch(BASE_URL + "fonts/DejaVuSans.ttf").content_type == "font/ttf"
    assert fetcher.fetch(BASE_URL + "qr-0.png").read() == b"png"
    assert fetcher.refused == []


def test_raw_html_in_a_letter_gets_nothing_through_the_fetcher():
    fetcher = LetterFetcher()
    html = (
        '<p>x</p><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1:9/tracker.png">'
        '<link rel="stylesheet" href="https://example.com/x.css">'
    )
    HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    assert fetcher.served == []
    assert sorted(fetcher.refused) == sorted(
        ["file:///etc/passwd", "http://127.0.0.1:9/tracker.png", "https://example.com/x.css"]
    )
