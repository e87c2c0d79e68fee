"""The routing object (`orq`, CONTRACT §4) and its parts, shared by chat and image requests."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Tag,
    WrapSerializer,
)

from orq_desktop.api.models_base import WireModel, flavour_of
from orq_desktop.api.models_filters import FilterBy
from orq_desktop.api.validation import (
    at_least,
    between,
    count_between,
    email_shaped,
    shape,
    unique,
)


class Retry(WireModel):
    """Gateway-side retries of the same model. The SDK writes `count` (3) when it is left out."""

    count: Annotated[int, between(1, 5, "Retry attempts")] | None = 3
    on_codes: (
        Annotated[
            list[Annotated[int, between(100, 599, "Retry status codes")]],
            count_between(1, None, "Retry status codes"),
        ]
        | None
    ) = None


FallbackCodes = Annotated[
    list[Annotated[int, between(400, 599, "Fallback status codes")]],
    unique("Fallback status codes"),
    count_between(0, 20, "Fallback status codes"),
]


class Fallback(WireModel):
    model: str


class PromptRef(WireModel):
    """A prompt stored in Orq ("latest" is the only version)."""

    id: str
    version: Literal["latest"]


class Identity(WireModel):
    """Who the call is for (created or updated on the fly). `contact` has the same shape."""

    id: str
    display_name: str | None = None
    email: Annotated[str, AfterValidator(email_shaped)] | None = None
    metadata: list[dict[str, Any]] | None = None
    logo_url: str | None = None
    tags: list[str] | None = None


class Thread(WireModel):
    id: str
    tags: list[str] | None = None


class InputItem(WireModel):
    key: str
    value: Any = None
    is_pii: bool | None = None


def _map_or_list(value: Any) -> str | None:
    if isinstance(value, dict):
        return "=map"
    if isinstance(value, list):
        return "=list"
    return None


Inputs = Annotated[
    Annotated[dict[str, Any], Tag("=map")] | Annotated[list[InputItem], Tag("=list")],
    shape(_map_or_list, 'Inputs must be an object {"name": value} or a list of {"key", "value"}.'),
]


class Cache(WireModel):
    """Exact-match response cache. Left unset, `ttl` goes out as the SDK's default: 1800 s
    (4.1, `/v2/gateway`) or 3600 s (newer, `/v2/router`)."""

    wire_defaults: ClassVar[dict[str, dict[str, Any]]] = {
        "gateway": {"ttl": 1800},
        "router": {"ttl": 3600},
    }

    type: Literal["exact_match"]
    ttl: Annotated[int, between(1, 259200, "Cache lifetime", " seconds")] | None = None


class SearchOptions(WireModel):
    include_vectors: bool | None = None
    include_metadata: bool | None = None
    include_scores: bool | None = None


class RerankConfig(WireModel):
    model: str
    threshold: float | None = 0
    top_k: Annotated[int, between(1, 100, "Rerank top K")] | None = 10


class AgenticRagConfig(WireModel):
    model: str


class KnowledgeBase(WireModel):
    """A knowledge base to search. The 4.1 SDK writes `search_type: "hybrid_search"` when unset."""

    wire_defaults: ClassVar[dict[str, dict[str, Any]]] = {
        "gateway": {"search_type": "hybrid_search"}
    }
    wire_nullable_router = frozenset({"top_k", "threshold", "search_type"})

    knowledge_id: str
    top_k: Annotated[int, between(1, 100, "Knowledge base top K")] | None = None
    threshold: Annotated[float, between(0, 1, "Knowledge base threshold")] | None = None
    search_type: Literal["vector_search", "keyword_search", "hybrid_search"] | None = None
    filter_by: FilterBy | None = None
    search_options: SearchOptions | None = None
    rerank_config: RerankConfig | None = None
    agentic_rag_config: AgenticRagConfig | None = None
    query: str | None = None


Weight = Annotated[float, between(0.001, 1, "Load balancer weight")]


class LoadBalancerEntry(WireModel):
    """One entry of the list form (4.1, `/v2/gateway`): `[{type, model, weight}]`."""

    type: Literal["weight_based"]
    model: str
    weight: Weight | None = 0.5


class LoadBalancerModel(WireModel):
    model: str
    weight: Weight | None = 0.5


class LoadBalancer(WireModel):
    """The object form (newer, `/v2/router`): `{type, models: [{model, weight}]}`."""

    type: Literal["weight_based"] = "weight_based"
    models: list[LoadBalancerModel]


def as_load_balancer(value: list[LoadBalancerEntry] | LoadBalancer) -> LoadBalancer:
    """Either form as the object form."""
    if isinstance(value, LoadBalancer):
        return value
    return LoadBalancer(
        models=[LoadBalancerModel(model=e.model, weight=e.weight) for e in value],
    )


def _lb_to_wire(value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
    data = handler(value)
    flavour = flavour_of(info)
    if flavour == "gateway" and isinstance(data, dict):
        return [{"type": data["type"], **m} for m in data["models"]]
    if flavour == "router" and isinstance(data, list):
        kind = data[0]["type"] if data else "weight_based"
        return {"type": kind, "models": [{k: v for k, v in e.items() if k != "type"} for e in data]}
    return data


def _list_or_object(value: Any) -> str | None:
    if isinstance(value, list):
        return "=list"
    if isinstance(value, dict | LoadBalancer):
        return "=object"
    return None


LoadBalancerField = Annotated[
    Annotated[list[LoadBalancerEntry], Tag("=list")] | Annotated[LoadBalancer, Tag("=object")],
    shape(
        _list_or_object,
        'Load balancer must be {"type": "weight_based", "models": [...]} or a list of entries.',
    ),
    WrapSerializer(_lb_to_wire),
]


class Timeout(WireModel):
    call_timeout: Annotated[int, at_least(1, "Call timeout", " ms")]


class ImageOrq(WireModel):
    """Routing options for image generation (CONTRACT §4.2)."""

    name: str | None = None
    retry: Retry | None = None
    fallback_on_codes: FallbackCodes | None = None  # newer API
    fallbacks: list[Fallback] | None = None
    identity: Identity | None = None
    contact: Identity | None = None  # deprecated: use identity
    cache: Cache | None = None
    load_balancer: LoadBalancerField | None = None
    timeout: Timeout | None = None


class Orq(WireModel):
    """Routing options for chat completions (CONTRACT §4.1)."""

    name: str | None = None
    retry: Retry | None = None
    fallback_on_codes: FallbackCodes | None = None  # newer API
    fallbacks: list[Fallback] | None = None
    prompt: PromptRef | None = None
    identity: Identity | None = None
    contact: Identity | None = None  # deprecated: use identity
    thread: Thread | None = None
    inputs: Inputs | None = None  # deprecated in the newer API: top-level `variables`
    cache: Cache | None = None
    knowledge_bases: list[KnowledgeBase] | None = None
    load_balancer: LoadBalancerField | None = None
    timeout: Timeout | None = None
