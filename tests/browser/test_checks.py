"""The page checks themselves catch what they are there to catch."""

import pytest


def test_axe_reports_a_serious_violation(browse):
    browse.page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        browse.check("self-test")


def test_a_page_wider_than_320_px_is_reported(browse):
    browse.page.set_content(
        '<html lang="en"><title>t</title><main><p style="width: 600px">wide</p></main></html>'
    )
    with pytest.raises(AssertionError, match="scrolls sideways at 320 px: 6"):
        browse.check("self-test")
