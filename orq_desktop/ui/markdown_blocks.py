"""Markdown in blocks: where a growing text may be cut, and appending chunks to a document.

Two Qt behaviours shape :class:`MarkdownAppender`:

- ``QTextCursor.insertMarkdown`` / ``insertFragment`` merge the first inserted block into the
  block at the cursor (a heading swallows the next paragraph, a list item loses its bullet, and a
  fragment that starts with a list gains a stray empty item). So each chunk is rendered with a
  throw-away paragraph in front (``"x\\n\\n" + chunk``): that paragraph is the one that merges,
  and it is deleted afterwards, together with the separator before it.
- Deleting across a block boundary keeps the *later* block's format for the merged block, so the
  format of the last committed block is saved and restored after each deletion.

Appending chunks cut by :class:`BlockScanner` gives the same document as one ``setMarkdown`` of
the whole text, block by block (heading levels, list membership and numbering, code fences,
tables, character formats), as the tests check with random chunkings.
"""

from __future__ import annotations

import re

from PySide6.QtGui import (
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
)

MARKDOWN_FEATURES = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML  # model output is untrusted: raw HTML stays text
)

_MOVE = QTextCursor.MoveOperation
_KEEP = QTextCursor.MoveMode.KeepAnchor

# A list item marker: after a blank line it may continue the list above (a loose list), so a blank
# line followed by one is not a safe place to cut.
_LIST_ITEM = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
# The start of a line that may still become a list item marker ("1" -> "1. item").
_LIST_ITEM_PREFIX = re.compile(r"[-+*]|\d{1,9}[.)]?")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")


def render_markdown(document: QTextDocument, text: str) -> None:
    """Replace the document's content with ``text`` rendered as markdown (untrusted-safe)."""
    document.setMarkdown(text, MARKDOWN_FEATURES)


class BlockScanner:
    """Finds where finished markdown blocks end in a text that only grows.

    A cut is safe at the start of a line that follows a blank line outside a code fence, when that
    line is not indented (which could continue a list item or be indented code) and is not a list
    item (which could continue a loose list). Complete lines are examined once each, so scanning a
    whole answer costs linear time; the unfinished last line only decides whether a cut before
    it is safe already, so the open block is never more than the one being written.
    """

    def __init__(self) -> None:
        self._pos = 0  # start of the first line not yet examined
        self._fence: str | None = None  # the opening fence while inside a fenced code block
        self._after_blank = False
        self.cuts: list[int] = []  # every safe cut found so far, ascending

    @property
    def boundary(self) -> int:
        """The last safe cut (0 when there is none yet)."""
        return self.cuts[-1] if self.cuts else 0

    def scan(self, text: str) -> int:
        """Examine the lines added since the last call; return the last safe cut."""
        pos = self._pos
        while True:
            end = text.find("\n", pos)
            if end < 0:
                break
            self._examine(text[pos:end].rstrip("\r"), pos)
            pos = end + 1
        self._pos = pos
        if self._after_blank and self._fence is None and pos < len(text):
            partial = text[pos:]
            if self._starts_block(partial) and not _LIST_ITEM_PREFIX.fullmatch(partial):
                self._add_cut(pos)
        return self.boundary

    def _add_cut(self, pos: int) -> None:
        if pos > self.boundary:
            self.cuts.append(pos)

    @staticmethod
    def _starts_block(line: str) -> bool:
        return line[0] not in " \t\r" and not _LIST_ITEM.match(line)

    def _examine(self, line: str, start: int) -> None:
        if self._fence is not None:
            stripped = line.strip()
            if (
                len(line) - len(line.lstrip(" ")) <= 3
                and stripped.startswith(self._fence)
                and stripped == stripped[0] * len(stripped)
            ):
                self._fence = None
            return
        if not line.strip():
            self._after_blank = True
            return
        if self._after_blank and self._starts_block(line):
            self._add_cut(start)
        self._after_blank = False
        opened = _FENCE_OPEN.match(line)
        if opened is not None and not (opened.group(1)[0] == "`" and "`" in line[opened.end() :]):
            self._fence = opened.group(1)


class MarkdownAppender:
    """Appends markdown to a document in chunks, with a replaceable tail after the committed part.

    ``commit(md)`` appends finished blocks for good; ``set_tail(md)`` replaces whatever follows the
    committed part. Nothing committed means the document holds only the tail, rendered with one
    ``setMarkdown``.
    """

    def __init__(self, document: QTextDocument) -> None:
        self._doc = document
        self._end: int | None = None  # document position where the committed part ends
        self._last_block_format = QTextBlockFormat()
        self._last_char_format = QTextCharFormat()

    @property
    def has_committed(self) -> bool:
        return self._end is not None

    def reset(self) -> None:
        """Forget the committed part (the caller replaces the document's content)."""
        self._end = None

    def commit(self, markdown: str) -> None:
        self.truncate()
        self._append(markdown)
        self._end = self._doc.characterCount() - 1
        last = self._doc.lastBlock()
        self._last_block_format = last.blockFormat()
        self._last_char_format = last.charFormat()

    def set_tail(self, markdown: str) -> None:
        if self._end is None:
            render_markdown(self._doc, markdown)
            return
        self.truncate()
        self._append(markdown)

    def truncate(self) -> None:
        """Drop everything after the committed part."""
        if self._end is None:
            render_markdown(self._doc, "")
            return
        if self._doc.characterCount() - 1 == self._end:
            return
        cursor = QTextCursor(self._doc)
        cursor.setPosition(self._end)
        cursor.movePosition(_MOVE.End, _KEEP)
        cursor.removeSelectedText()
        self._restore_last_block(cursor)

    def _append(self, markdown: str) -> None:
        if self._end is None:
            render_markdown(self._doc, markdown)
            return
        scratch = QTextDocument()
        # The throw-away first paragraph takes the merge (see the module docstring).
        scratch.setMarkdown("x\n\n" + markdown, MARKDOWN_FEATURES)
        if scratch.blockCount() < 2:
            return
        cursor = QTextCursor(self._doc)
        cursor.movePosition(_MOVE.End)
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        helper = cursor.position()
        cursor.insertFragment(QTextDocumentFragment(scratch))
        cursor.setPosition(helper - 1)  # the separator before the helper block ...
        cursor.setPosition(helper + 1, _KEEP)  # ... and its "x"
        cursor.removeSelectedText()
        self._restore_last_block(cursor)

    def _restore_last_block(self, cursor: QTextCursor) -> None:
        cursor.setBlockFormat(self._last_block_format)
        cursor.setBlockCharFormat(self._last_char_format)
