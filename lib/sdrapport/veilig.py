"""Untrusted text stays text: escaping for every place a text from data or params reaches a page.

Gemeente names, category values, sources, commentary (params/toelichting) and jaarverslag texts
are typed by people outside this code. Quarto reads a page as Markdown with shortcodes
(`{{< include >}}`, `{{< env >}}`, `{{< meta >}}`), raw HTML and, in raw blocks, Typst; any of
those in such a text would run as code when the site is rendered. So every such text passes
through one of these functions on its way out, chosen by the place it goes:

- `markdown(text)`: body text, captions and YAML titles (all read as Markdown). Every ASCII
  punctuation character is backslash-escaped (pandoc accepts that for all of them), so no
  shortcode, HTML tag, emphasis, link, list marker or table pipe can form; pandoc shows the
  characters as typed.
- `html(text)`: inside raw HTML blocks; braces become entities so no `{{<` is left for Quarto.
- `typst_string(text)`: a Typst string literal for raw Typst blocks (never Typst markup).
- `attribuut(text)`: attribute values such as alt text, which pandoc escapes itself but Quarto
  may scan for shortcodes; the braces are kept visible but can no longer pair up.

`Markdown` marks text that is already safe (built from escaped parts), so it is not escaped twice.
"""
from __future__ import annotations

import html as _html
import string

_PUNCTUATION = frozenset(string.punctuation)
_ZERO_WIDTH_SPACE = "\u200b"


class Markdown(str):
    """Markdown that is safe to put on a page as it is (library text or escaped parts)."""

    def __add__(self, other: str) -> "Markdown":
        return Markdown(str.__add__(self, markdown(other)))

    def __radd__(self, other: str) -> "Markdown":
        return Markdown(str.__add__(markdown(other), self))


def _one_line(text: object) -> str:
    # Line and paragraph separators of any kind become one space: a line break could start a
    # heading, list, table row or fenced block.
    return " ".join(str(text).split())


def markdown(text: object) -> Markdown:
    """Plain text as Markdown that shows exactly that text (on one line)."""
    if isinstance(text, Markdown):
        return text
    return Markdown("".join("\\" + c if c in _PUNCTUATION else c for c in _one_line(text)))


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
    return Markdown("".join(markdown(p) if not isinstance(p, Markdown) else p for p in parts))


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
