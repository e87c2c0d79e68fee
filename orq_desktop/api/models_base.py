"""The base of every request model: unknown keys refused, and the SDK's serialisation rule.

The official SDK (speakeasy-generated) writes a field when its value is not None, or when the field
is required, or when it is nullable and was set explicitly (then as `null`). Defaults are written
too (`stream: false`, `retry.count: 3`, ...). `WireModel` follows the same rule, so that a model
built from the SDK's keyword arguments serialises to the body the SDK sends.

Two API generations differ in a few defaults and shapes: the 4.1 SDK's `/v2/gateway` ("gateway")
and the newer `/v2/router` ("router"). The flavour travels in the serialisation context.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from orq_desktop.api.validation import KNOWN_KEYS

Flavour = Literal["gateway", "router"]

GATEWAY_PREFIX = "/v2/gateway"
ROUTER_PREFIX = "/v2/router"


def flavour_for(path_prefix: str) -> Flavour:
    """`/v2/gateway` (SDK 4.1) gets the old shapes; any other prefix the newer ones."""
    return "gateway" if path_prefix.rstrip("/").endswith("/gateway") else "router"


def flavour_of(info: SerializationInfo) -> Flavour | None:
    """The target API generation, when the dump was asked for one (see `wire_context`)."""
    context = info.context
    if isinstance(context, dict):
        flavour = context.get("flavour")
        if flavour in ("gateway", "router"):
            return flavour  # type: ignore[no-any-return]
    return None


def wire_context(path_prefix: str) -> dict[str, Any]:
    return {"flavour": flavour_for(path_prefix)}


class WireModel(BaseModel):
    """A request part: strict about keys, lenient about number types (429.0 is a fine int)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # Fields sent as `null` when set to None explicitly (the SDK's "nullable" fields).
    wire_nullable: ClassVar[frozenset[str]] = frozenset()
    # Nullable only in the newer API (the 4.1 SDK drops an explicit None there).
    wire_nullable_router: ClassVar[frozenset[str]] = frozenset()
    # Values sent for fields left unset, per API generation (when they differ between the two).
    wire_defaults: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, field in cls.model_fields.items():
            KNOWN_KEYS.add(name)
            if field.alias:
                KNOWN_KEYS.add(field.alias)

    @model_serializer(mode="wrap")
    def _serialize(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        serialized = handler(self)
        flavour = flavour_of(info)
        defaults = self.wire_defaults.get(flavour, {}) if flavour else {}
        nullable = self.wire_nullable
        if flavour == "router":
            nullable = nullable | self.wire_nullable_router
        explicit = self.model_fields_set
        out: dict[str, Any] = {}
        for name, field in type(self).model_fields.items():
            key = field.alias if (info.by_alias and field.alias) else name
            if name not in explicit and name in defaults:
                out[key] = defaults[name]
                continue
            if key not in serialized:
                continue  # excluded by the caller
            value = serialized[key]
            if (
                value is None
                and not field.is_required()
                and not (name in nullable and name in explicit)
            ):
                continue
            out[key] = value
        for key in self.model_extra or {}:
            if key in serialized:
                out[key] = serialized[key]
        return out
