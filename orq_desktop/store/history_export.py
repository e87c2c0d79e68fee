"""Export threads as Markdown (to read) or as versioned JSON (to import again).

The JSON format, version 1::

    {
      "format": "orq-desktop-thread",      # always this string
      "version": 1,                         # bumped on any incompatible change
      "exported_at": "2025-01-31T12:00:00.000Z",
      "threads": [
        {
          "source_id": "thread_01J...",     # informative: an import always makes new ids
          "title": "...", "kind": "chat" | "compare",
          "model": "openai/gpt-4o", "options": {...},   # never holds a key
          "identity_id": null | "...", "tags": ["..."],
          "created_at": "<ISO 8601 UTC>", "updated_at": "<ISO 8601 UTC>",
          "messages": [
            {
              "role": "system" | "user" | "assistant",
              "text": "...",
              "state": "complete" | "stopped" | "interrupted" | "error" | "streaming",
              "created_at": "<ISO 8601 UTC>",
              "column_index": null | 0 | 1 ...,  # the compare column
              "run": null | {RUN},               # the request that produced this message
              "note": "..."                      # only for a damaged message (informative)
            }
          ],
          "runs": [{RUN}, ...]                   # runs not tied to a message
        }
      ]
    }

    RUN = {"model_requested", "model_answered", "status_code", "ttft_ms", "total_ms",
           "tokens_in", "tokens_out", "finish_reason", "trace_id", "error_text",
           "request": {...}, "created_at"}

Unknown fields are ignored on import, so a later version may add fields without a bump.

A message the history file could not fully read is written so that an import accepts it: one
whose text is unreadable as an empty "assistant" answer with state "error", and one whose
author is unknown as an "assistant" answer with state "error" that keeps its text (so neither
is ever sent to a model as part of a conversation); the run's ``error_text`` and the ``note``
say what happened.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from orq_desktop.store.history_redact import strip_secrets
from orq_desktop.store.history_rows import UNREADABLE
from orq_desktop.store.history_types import ROLES, MessageRecord, RunRecord, ThreadDetail

FORMAT = "orq-desktop-thread"
VERSION = 1
UNREADABLE_NOTE = "This message could not be read from the history file when it was exported."
UNKNOWN_ROLE_NOTE = (
    "Who wrote this message could not be read from the history file when it was exported; "
    "its text is kept."
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_json(details: Sequence[ThreadDetail], *, exported_at: float) -> str:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(exported_at),
        "threads": [_thread(d) for d in details],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _thread(detail: ThreadDetail) -> dict[str, Any]:
    s = detail.summary
    runs = {r.id: r for r in detail.runs}
    linked = {m.run_id for m in detail.messages if m.run_id is not None}
    return {
        "source_id": s.id,
        "title": s.title,
        "kind": s.kind,
        "model": s.model,
        "options": strip_secrets(detail.options),
        "identity_id": s.identity_id,
        "tags": list(s.tags),
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
        "messages": [
            _message(m, runs.get(m.run_id) if m.run_id else None) for m in detail.messages
        ],
        "runs": [_run(r) for r in detail.runs if r.id not in linked],
    }


def _message(m: MessageRecord, run: RunRecord | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "role": m.role,
        "text": m.text,
        "state": m.state,
        "created_at": iso(m.created_at),
        "column_index": m.column_index,
        "run": _run(run) if run else None,
    }
    if m.state == UNREADABLE or m.role not in ROLES:
        note = UNREADABLE_NOTE if m.state == UNREADABLE else UNKNOWN_ROLE_NOTE
        title = "Unreadable message" if m.state == UNREADABLE else "Damaged message"
        out.update(role="assistant", state="error", note=note)
        out["run"] = {**(out["run"] or {"request": {}}), "error_text": f"{title}: {note}"}
    return out


def _run(r: RunRecord) -> dict[str, Any]:
    return {
        "model_requested": r.model_requested,
        "model_answered": r.model_answered,
        "status_code": r.status_code,
        "ttft_ms": r.ttft_ms,
        "total_ms": r.total_ms,
        "tokens_in": r.tokens_in,
        "tokens_out": r.tokens_out,
        "finish_reason": r.finish_reason,
        "trace_id": r.trace_id,
        "error_text": r.error_text,
        "request": strip_secrets(r.request),
        "created_at": iso(r.created_at),
    }


_ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}
_STATE_NOTES = {
    "stopped": "stopped by you",
    "interrupted": "interrupted",
    "error": "failed",
    "streaming": "unfinished",
}


def to_markdown(detail: ThreadDetail) -> str:
    s = detail.summary
    runs = {r.id: r for r in detail.runs}
    lines = [f"# {s.title or 'Untitled'}", ""]
    if s.model:
        lines.append(f"- Model: `{s.model}`")
    lines.append(f"- Started: {_human(s.created_at)}")
    if s.tags:
        lines.append(f"- Tags: {', '.join(s.tags)}")
    if s.kind == "compare":
        lines.append("- Compare: several models answered the same prompt")
    lines += ["", "---", ""]
    for m in detail.messages:
        heading = _ROLE_NAMES.get(m.role, m.role.capitalize() or "Message")
        extras = []
        if m.column_index is not None:
            extras.append(f"column {m.column_index + 1}")
        run = runs.get(m.run_id) if m.run_id is not None else None
        if run is not None and (run.model_answered or run.model_requested):
            extras.append(f"`{run.model_answered or run.model_requested}`")
        if m.state in _STATE_NOTES:
            extras.append(_STATE_NOTES[m.state])
        if m.state == UNREADABLE:
            extras.append("unreadable")
        suffix = f" ({', '.join(extras)})" if extras else ""
        body = m.text.rstrip() or "_(empty)_"
        if m.state == UNREADABLE:
            body = "_(this message could not be read from the history file)_"
        lines += [f"## {heading}{suffix}", "", body, ""]
        if run is not None and run.error_text:
            lines += [f"> Error: {run.error_text}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _human(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
