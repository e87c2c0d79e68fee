"""Plain data of a compare run: what is asked, how each column asks it, and how each one ended.

No Qt objects and no httpx objects: these cross from :class:`~orq_desktop.core.compare_run.
CompareRun` to the widgets and to the history recorder.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState, Role

MIN_COLUMNS = 2
MAX_COLUMNS = 6


@dataclass(frozen=True, slots=True)
class ColumnConfig:
    """How one column asks: the SDK keyword arguments without ``messages``.

    ``options`` holds ``model``, the parameters the form sets (``temperature``, ``stream``, …)
    and the routing object under ``orq`` (absent or ``{}`` when none is set), the same shape as
    ``ChatPanel.options()``. ``label`` says where the configuration came from ("Copy of the
    chat", a preset's name); it is shown, never sent.
    """

    options: dict[str, Any]
    label: str = ""

    @property
    def model(self) -> str:
        return str(self.options.get("model", ""))

    @property
    def orq(self) -> dict[str, Any]:
        orq = self.options.get("orq")
        return copy.deepcopy(orq) if isinstance(orq, dict) else {}

    @property
    def params(self) -> dict[str, Any]:
        """The parameters alone (no ``model``, no ``orq``)."""
        return {k: copy.deepcopy(v) for k, v in self.options.items() if k not in ("model", "orq")}

    def with_model(self, model: str) -> ColumnConfig:
        return ColumnConfig({**copy.deepcopy(self.options), "model": model}, self.label)

    def with_orq(self, orq: dict[str, Any]) -> ColumnConfig:
        options = copy.deepcopy(self.options)
        if orq:
            options["orq"] = copy.deepcopy(orq)
        else:
            options.pop("orq", None)
        return ColumnConfig(options, self.label)


@dataclass(frozen=True, slots=True)
class ComparePrompt:
    """What every column is asked: the same system prompt, turns and ``{{variable}}`` values.

    ``turns`` are ``(role, text)`` pairs (``"user"`` / ``"assistant"``) and end with the user's
    prompt. ``variables`` are sent to every column as ``orq.inputs`` (the router substitutes
    them), on top of any inputs a column's own routing options carry.
    """

    system_prompt: str
    turns: tuple[tuple[str, str], ...]
    variables: dict[str, str] = field(default_factory=dict)

    @classmethod
    def single(
        cls, prompt: str, system_prompt: str = "", variables: dict[str, str] | None = None
    ) -> ComparePrompt:
        return cls(system_prompt, ((Role.USER.value, prompt),), dict(variables or {}))

    @property
    def prompt(self) -> str:
        """The last user turn (what the columns answer)."""
        for role, text in reversed(self.turns):
            if role == Role.USER.value:
                return text
        return ""

    def messages(self) -> list[dict[str, str]]:
        """The request's ``messages``: the system prompt (when set), then the turns."""
        out: list[dict[str, str]] = []
        if self.system_prompt.strip():
            out.append({"role": Role.SYSTEM.value, "content": self.system_prompt})
        out.extend({"role": role, "content": text} for role, text in self.turns)
        return out


@dataclass(frozen=True, slots=True)
class ColumnResult:
    """How one column ended: its text, end state, footer data, and its error card if it failed.

    ``state`` is a :class:`MessageState` (``complete``, ``stopped``, ``interrupted`` or
    ``error``); an interrupted answer has both its partial text and an ``error``.
    """

    index: int
    config: ColumnConfig
    text: str
    state: MessageState
    info: AnswerInfo
    error: ErrorInfo | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def with_inputs(orq: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    """``orq`` with ``variables`` in its ``inputs`` (either wire shape), overriding same names."""
    orq = copy.deepcopy(orq)
    inputs = orq.get("inputs")
    if isinstance(inputs, list):
        pii = {i.get("key") for i in inputs if isinstance(i, dict) and i.get("is_pii") is True}
        kept = [i for i in inputs if not (isinstance(i, dict) and i.get("key") in variables)]
        orq["inputs"] = kept + [
            {"key": k, "value": v, **({"is_pii": True} if k in pii else {})}
            for k, v in variables.items()
        ]
    else:
        orq["inputs"] = {**(inputs if isinstance(inputs, dict) else {}), **variables}
    return orq


def continue_as_chat(
    prompt: ComparePrompt, result: ColumnResult
) -> tuple[str, list[tuple[str, str]], dict[str, Any]]:
    """What a chat needs to continue a column: the system prompt, the turns ending with the
    column's answer, and the column's options (the shared variables in its ``orq.inputs``)."""
    options = copy.deepcopy(result.config.options)
    if prompt.variables:
        options["orq"] = with_inputs(result.config.orq, prompt.variables)
    turns = [*prompt.turns, (Role.ASSISTANT.value, result.text)]
    return prompt.system_prompt, turns, options


@dataclass(frozen=True, slots=True)
class CompareRunInfo:
    """One run as the recorder sees it: its id, the prompt, and each column's request body.

    ``bodies[i]`` is what column ``i`` sends (SDK keyword arguments with ``messages``), never
    the API key.
    """

    run_id: str
    prompt: ComparePrompt
    columns: tuple[ColumnConfig, ...]
    bodies: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class SavedCompare:
    """A compare run read back from the history: enough to show it again and to continue it.

    ``results[i]`` is None for a column whose answer was not recorded.
    """

    thread_id: str
    title: str
    prompt: ComparePrompt
    columns: tuple[ColumnConfig, ...]
    results: tuple[ColumnResult | None, ...]
    notes: tuple[str, ...] = ()


class CompareRecorder:
    """The history hook of a compare run. Every method is awaited in order, one at a time.

    ``before_send`` runs before any column sends; ``column_started`` before that column sends
    (again when a column is asked again); ``column_progress`` at most once a second while a
    column streams, with its whole text so far; ``column_finished`` once per column start. A
    recorder that raises never stops a column: the run reports it with ``history_problem``.
    This base class does nothing; subclasses override what they need.
    """

    async def before_send(self, run: CompareRunInfo) -> None:
        """The run is about to send (persist the prompt first)."""

    async def column_started(self, run: CompareRunInfo, index: int) -> None:
        """Column ``index`` is about to send."""

    async def column_progress(self, run: CompareRunInfo, index: int, text: str) -> None:
        """Column ``index`` has received ``text`` so far."""

    async def column_finished(self, run: CompareRunInfo, result: ColumnResult) -> None:
        """Column ``result.index`` ended (in any state)."""
