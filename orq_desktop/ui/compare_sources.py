"""Where a compare column's settings come from: a copy of the chat's, or a preset."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMenu

from orq_desktop.core.compare_types import ColumnConfig
from orq_desktop.domain.catalogue import DEFAULT_CHAT_MODEL, chat_model_ids

if TYPE_CHECKING:
    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.core.routing_state import RoutingState

CHAT_COPY = "Copy of the chat"


class ColumnSources:
    """The chat's current settings (``ChatPanel.options()``, the ``RoutingState``) and the
    presets, as column configurations."""

    def __init__(
        self,
        *,
        routing: RoutingState | None = None,
        current_options: Callable[[], dict[str, Any]] | None = None,
        presets: PresetsStore | None = None,
    ) -> None:
        self.routing = routing
        self.presets = presets
        self._current_options = current_options

    def chat(self) -> ColumnConfig:
        """The chat's model, parameters and routing, as a column."""
        options = dict(self._current_options()) if self._current_options else {}
        options.setdefault("model", DEFAULT_CHAT_MODEL)
        options.setdefault("stream", True)
        if "orq" not in options and self.routing is not None and (orq := self.routing.orq()):
            options["orq"] = orq
        return ColumnConfig(options, CHAT_COPY)

    def preset(self, name: str) -> ColumnConfig | None:
        """A preset's model, parameters and routing (its system prompt is the compare's own)."""
        preset = self.presets.get(name) if self.presets is not None else None
        if preset is None:
            return None
        options: dict[str, Any] = preset.options()
        if preset.orq:
            options["orq"] = preset.orq
        return ColumnConfig(options, name)

    def names(self) -> list[str]:
        return self.presets.names() if self.presets is not None else []

    def default_pair(self) -> list[ColumnConfig]:
        """The chat's settings twice: with its model, and with another model beside it."""
        chat = self.chat()
        other = next(
            (m for m in chat_model_ids(include_simulated=False) if m != chat.model), chat.model
        )
        return [chat, chat.with_model(other)]

    def primary_model(self) -> str:
        """The chat's model."""
        return str(self._current_options().get("model", "")) if self._current_options else ""

    def routing_inputs(self) -> dict[str, str]:
        """The chat's ``{{variable}}`` values (``orq.inputs`` in either wire form)."""
        inputs = self.routing.orq().get("inputs") if self.routing is not None else None
        if isinstance(inputs, list):
            items = (i for i in inputs if isinstance(i, dict) and "key" in i)
            return {str(i["key"]): "" if i.get("value") is None else str(i["value"]) for i in items}
        return {str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}

    def fill_menu(self, menu: QMenu, pick: Callable[[ColumnConfig], object], chat: str) -> None:
        """``chat`` (the chat's settings), then one entry per preset; choosing one calls pick."""
        menu.clear()
        menu.addAction(chat).triggered.connect(lambda: pick(self.chat()))
        names = self.names()
        if names:
            menu.addSection("Presets")
        for name in names:

            def chosen(_checked: bool = False, name: str = name) -> None:
                if (config := self.preset(name)) is not None:
                    pick(config)

            menu.addAction(name).triggered.connect(chosen)
