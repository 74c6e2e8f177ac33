"""Word-level differences between two module bodies: words, blocks, context and escaping."""

import pytest

from lms.content.diff import BREAK, Segment, body_diff, word_diff, words_of


@pytest.mark.parametrize(
    ("html", "words"),
    [
        ("<p>One two</p><p>three</p>", ["One", "two", BREAK, "three"]),
        (
            "<h2 id='x'>Title</h2>\n<ul><li>a</li><li>b c</li></ul>",
            ["Title", BREAK, "a", BREAK, "b", "c"],
        ),
        ("<p>x &lt;y&gt; &amp; z</p>", ["x", "<y>", "&", "z"]),
        ("<p>inline <strong>bold</strong> text</p>", ["inline", "bold", "text"]),
        ("", []),
    ],
)
def test_words_of(html, words):
    assert words_of(html) == words


@pytest.mark.parametrize(
    ("old", "new", "segments"),
    [
        ("a b c", "a b c", []),
        (
            "a b c",
            "a x c",
            [
                Segment("equal", ("a",)),
                Segment("delete", ("b",)),
                Segment("insert", ("x",)),
                Segment("equal", ("c",)),
            ],
        ),
        ("a b", "a b c", [Segment("equal", ("a", "b")), Segment("insert", ("c",))]),
        ("a b c", "b c", [Segment("delete", ("a",)), Segment("equal", ("b", "c"))]),
        # long unchanged runs keep `context` words next to each change
        (
            "1 2 3 4 5 6 x 7 8 9 10 11 12",
            "1 2 3 4 5 6 y 7 8 9 10 11 12",
            [
                Segment("gap"),
                Segment("equal", ("5", "6")),
                Segment("delete", ("x",)),
                Segment("insert", ("y",)),
                Segment("equal", ("7", "8")),
                Segment("gap"),
            ],
        ),
        (
            "x 1 2 3 4 5 y",
            "X 1 2 3 4 5 Y",
            [
                Segment("delete", ("x",)),
                Segment("insert", ("X",)),
                Segment("equal", ("1", "2")),
                Segment("gap"),
                Segment("equal", ("4", "5")),
                Segment("delete", ("y",)),
                Segment("insert", ("Y",)),
            ],
        ),
    ],
)
def test_word_diff(old, new, segments):
    assert word_diff(old.split(), new.split(), context=2) == segments


def test_the_rendering_escapes_words_and_labels_changes_in_words():
    html = str(body_diff("<p>Call &lt;b&gt; now</p>", "<p>Call <em>&lt;script&gt;</em> now</p>"))
    assert "<script>" not in html and "<b>" not in html
    assert '<del><span class="visually-hidden">[deleted: </span>&lt;b&gt;' in html
    assert '<ins><span class="visually-hidden">[added: </span>&lt;script&gt;' in html
    assert html.startswith("Call ") and html.endswith(" now")


def test_same_words_give_no_diff():
    assert body_diff("<p>Same  words</p>", "<p>Same words</p>") is None
