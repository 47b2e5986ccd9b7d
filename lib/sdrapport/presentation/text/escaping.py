"""Untrusted text stays text: escaping for every place a text from data or params reaches a page.

Gemeente names, category values, sources, commentary (params/toelichting) and jaarverslag texts
are typed by people outside this code. Quarto reads a page as Markdown with shortcodes
(`{{< include >}}`, `{{< env >}}`, `{{< meta >}}`), raw HTML and, in raw blocks, Typst; any of
those in such a text would run as code when the site is rendered. So every such text passes
through one of these functions on its way out, chosen by the place it goes:

- `markdown(text)`: body text, captions and YAML titles (all read as Markdown). Every character
  that can start markup is backslash-escaped (pandoc accepts that for all ASCII punctuation), and
  so is a list or heading marker at the start, so no shortcode, HTML tag, emphasis, link, list or
  table cell can form; pandoc shows the characters as typed.
- `html(text)`: inside raw HTML blocks; braces become entities so no `{{<` is left for Quarto.
- `typst_string(text)`: a Typst string literal for raw Typst blocks (never Typst markup).
- `attribuut(text)`: attribute values such as alt text, which pandoc escapes itself but Quarto
  may scan for shortcodes; the braces are kept visible but can no longer pair up.

`Markdown` marks text that is already safe (built from escaped parts), so it is not escaped twice.
"""
from __future__ import annotations

import html as _html
import re

# Characters that can start inline markup, a shortcode, raw HTML, a citation, maths or a table cell
# anywhere in a line; escaped wherever they stand. Ordinary punctuation (. , - : ( ) ' ") stays as
# it is, so sentences and numbers remain readable in the Markdown itself.
_INLINE = frozenset("\\`*_{}[]<>#|~^$@&=!")
# At the start of a paragraph these could make a list, heading, quote or definition.
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+:%>])")
_ZERO_WIDTH_SPACE = "\u200b"
_WHITESPACE = re.compile(r"[ \t\r\n\f\v\x1c-\x1f\x85\u2028\u2029]+")  # not the no-break space: it is meant
_EURO_SPACE = re.compile(r"€ (?=[\d-])")


class Markdown(str):
    """Markdown that is safe to put on a page as it is (library text or escaped parts)."""

    def __add__(self, other: str) -> Markdown:
        return Markdown(str.__add__(self, markdown(other, begin=False)))


def _one_line(text: object) -> str:
    # Line and paragraph separators of any kind become one space: a line break could start a
    # heading, list, table row or fenced block. "€ 60.000" keeps the sign with its amount.
    return _EURO_SPACE.sub("€\u00a0", _WHITESPACE.sub(" ", str(text)))


def markdown(text: object, *, begin: bool = True) -> Markdown:
    """Plain text as Markdown that shows exactly that text (on one line). `begin=False` for a
    part that follows other text on its line (no list or heading can start there)."""
    if isinstance(text, Markdown):
        return text
    escaped = "".join("\\" + c if c in _INLINE else c for c in _one_line(text))
    if not begin:
        return Markdown(escaped)
    return Markdown(_BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped, count=1))


def alineas(text: object) -> Markdown:
    """Multi-paragraph plain text (paragraphs separated by a blank line) as safe Markdown."""
    if isinstance(text, Markdown):
        return text
    paragraphs = [p for p in str(text).replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markdown("\n\n".join(markdown(p) for p in paragraphs))


def nadruk(text: object) -> Markdown:
    """Emphasised plain text."""
    return Markdown(f"*{markdown(text)}*")


def vet(text: object) -> Markdown:
    """Bold plain text."""
    return Markdown(f"**{markdown(text)}**")


def samen(*parts: object) -> Markdown:
    """Concatenate, escaping every part that is not already Markdown."""
    return Markdown("".join(markdown(p, begin=i == 0) for i, p in enumerate(parts)))


def html(text: object) -> str:
    """Text for inside raw HTML (element content or a quoted attribute)."""
    escaped = _html.escape(_one_line(text), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def typst_string(text: object) -> str:
    """A Typst string literal holding the text (shown as text, never evaluated as markup)."""
    out = []
    for c in _one_line(text):
        if c in '\\"':
            out.append("\\" + c)
        elif c in "{}<>[]#$@`*_":
            out.append(f"\\u{{{ord(c):x}}}")  # no brace or markup character appears literally
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def attribuut(text: object) -> str:
    """A plain attribute value (alt text): shown as typed, but '{{' and '}}' cannot form."""
    value = _one_line(text)
    return value.replace("{", "{" + _ZERO_WIDTH_SPACE).replace("}", _ZERO_WIDTH_SPACE + "}")


__all__ = ["Markdown", "markdown", "alineas", "nadruk", "vet", "samen", "html", "typst_string", "attribuut"]
