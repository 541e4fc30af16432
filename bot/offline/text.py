"""What a user sees of a text: Telegram's HTML checked and rendered as Telegram would."""

from __future__ import annotations

import re

from bot.offline.wire import _bad

_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ]
)
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def render_text(text: str, parse_mode: str | None) -> str:
    """Return the visible text; raise ApiError where Telegram would reject the markup."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _render_html(text)
    if mode in ("", "markdown", "markdownv2"):
        return text  # Markdown is not validated by the fake.
    raise _bad("unsupported parse_mode")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _render_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            i = _html_entity(text, i, out)
        elif char == "<":
            i = _html_tag(text, i, stack)
        else:
            out.append(char)
            i += 1
    if stack:
        raise _bad(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _html_entity(text: str, i: int, out: list[str]) -> int:
    match = _HTML_ENTITY_RE.match(text, i)
    if not match:
        out.append("&")
        return i + 1
    name = match.group(1)
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    if name in named:
        out.append(named[name])
    else:
        code = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
        out.append(chr(min(code, 0x10FFFF)))
    return match.end()


def _html_tag(text: str, i: int, stack: list[str]) -> int:
    closing = text.startswith("</", i)
    start = i + 2 if closing else i + 1
    name_match = _TAG_NAME_RE.match(text, start)
    name = name_match.group(0).lower() if name_match else ""
    end = text.find(">", start)
    offset = _byte_offset(text, i)
    if not closing:
        if name not in _HTML_TAGS:
            raise _bad(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        if end < 0:
            raise _bad(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        stack.append(name)
        return end + 1
    if end < 0:
        raise _bad(f"can't parse entities: Unclosed end tag at byte offset {offset}")
    if not stack:
        raise _bad(f"can't parse entities: Unexpected end tag at byte offset {offset}")
    if name and name != stack[-1]:
        raise _bad(
            f"can't parse entities: Unmatched end tag at byte offset {offset}, "
            f'expected "</{stack[-1]}>", found "</{name}>"'
        )
    stack.pop()
    return end + 1
