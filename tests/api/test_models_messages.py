"""Unknown keys, choices, required keys and shapes: refused with lines a non-programmer reads."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from orq_desktop.api.models import (
    ChatRequest,
    FilePart,
    ImageRequest,
    Orq,
    ToolMessage,
    UserMessage,
    friendly_errors,
)


def chat(**fields: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "x"}], "model": "m", **fields}


def lines(cls: Any, data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(data)
    return friendly_errors(caught.value)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            chat(tempreature=1),
            "tempreature: “tempreature” is not a known option here. Did you mean “temperature”?",
        ),
        (
            chat(orq={"retri": {}}),
            "orq › retri: “retri” is not a known option here. Did you mean “retry”?",
        ),
        (
            chat(orq={"retry": {"count": 2, "on_code": [429]}}),
            "orq › retry › on_code: “on_code” is not a known option here. Did you mean “on_codes”?",
        ),
        (
            chat(messages=[{"role": "user", "content": "x", "colour": "red"}]),
            "messages › #1 › colour: “colour” is not a known option here. Check the spelling.",
        ),
        (
            chat(
                messages=[
                    {"role": "user", "content": [{"type": "text", "text": "a", "bold": True}]}
                ]
            ),
            "messages › #1 › content › #1 › bold: “bold” is not a known option here. Check the "
            "spelling.",
        ),
    ],
)
def test_unknown_keys_are_refused_not_dropped(data: dict[str, Any], line: str) -> None:
    assert lines(ChatRequest, data) == [line]


def test_unknown_keys_are_refused_in_images_too() -> None:
    data = {"prompt": "p", "model": "m", "orq": {"thread": {"id": "t"}}}
    assert lines(ImageRequest, data) == ["orq › thread: “thread” is not available here."]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            chat(reasoning_effort="hgih"),
            "reasoning_effort: Reasoning effort must be one of: none, instant, minimal, low,"
            ' medium, high, xhigh, max (you entered "hgih").',
        ),
        (
            chat(audio={"voice": "bob", "format": "mp3"}),
            "audio › voice: Voice must be one of: alloy, echo, fable, onyx, nova, shimmer (you "
            'entered "bob").',
        ),
        (
            chat(tool_choice="sometimes"),
            "tool_choice: Tool choice must be one of: none, auto, required (you entered "
            '"sometimes").',
        ),
        (
            chat(modalities=["text", "video"]),
            'modalities › #2: Output kinds must be one of: text, audio (you entered "video").',
        ),
        (
            chat(guardrails=[{"id": "g", "execute_on": "both"}]),
            "guardrails › #1 › execute_on: When to run the guardrail must be one of: input, output"
            ' (you entered "both").',
        ),
        (
            chat(orq={"knowledge_bases": [{"knowledge_id": "k", "search_type": "fuzzy"}]}),
            "orq › knowledge_bases › #1 › search_type: Search type must be one of: vector_search,"
            ' keyword_search, hybrid_search (you entered "fuzzy").',
        ),
        (
            chat(response_format={"type": "yaml"}),
            "response_format: Response format type must be one of: text, json_object, json_schema"
            ' (you entered "yaml").',
        ),
        (
            chat(thinking={"type": "maybe"}),
            "thinking: Thinking type must be one of: disabled, enabled, adaptive (you entered "
            '"maybe").',
        ),
        (
            chat(orq={"prompt": {"id": "p", "version": "v2"}}),
            'orq › prompt › version: Version must be one of: latest (you entered "v2").',
        ),
        (
            chat(messages=[{"role": "bot", "content": "x"}]),
            "messages › #1: Message role must be one of: system, developer, user, assistant, tool"
            ' (you entered "bot").',
        ),
        (
            chat(messages=[{"content": "x"}]),
            "messages › #1: Message role is missing: give “role” as one of system, developer,"
            " user, assistant, tool.",
        ),
        (
            chat(messages=[{"role": "user", "content": [{"type": "video"}]}]),
            "messages › #1 › content › #1: Content part type must be one of: text, image_url,"
            ' input_audio, file (you entered "video").',
        ),
        (
            chat(messages=[{"role": "system", "content": [{"type": "image_url", "text": "a"}]}]),
            "messages › #1 › content › #1 › type: Type must be one of: text (you entered "
            '"image_url").',
        ),
    ],
)
def test_choices_are_listed(data: dict[str, Any], line: str) -> None:
    assert lines(ChatRequest, data) == [line]


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        (
            "quality",
            "ultra",
            "quality: Quality must be one of: auto, high, medium, low, hd, "
            'standard (you entered "ultra").',
        ),
        ("style", "pop", 'style: Style must be one of: vivid, natural (you entered "pop").'),
        (
            "background",
            "red",
            'background: Background must be one of: transparent, opaque, auto (you entered "red").',
        ),
        (
            "output_format",
            "gif",
            'output_format: Output format must be one of: png, jpeg, webp (you entered "gif").',
        ),
        (
            "moderation",
            "high",
            'moderation: Moderation must be one of: low, auto (you entered "high").',
        ),
        (
            "response_format",
            "png",
            'response_format: Response format must be one of: url, b64_json (you entered "png").',
        ),
    ],
)
def test_image_choices_are_listed(field: str, value: str, line: str) -> None:
    assert lines(ImageRequest, {"prompt": "p", "model": "m", field: value}) == [line]


def test_image_size_is_free_text() -> None:
    req = ImageRequest.model_validate({"prompt": "p", "model": "m", "size": "777x333"})
    assert req.to_wire()["size"] == "777x333"


def test_required_keys() -> None:
    assert lines(ChatRequest, {"messages": []}) == ["model: Model is required."]
    assert lines(ImageRequest, {"model": "m"}) == ["prompt: Prompt is required."]
    schema = {"type": "json_schema", "json_schema": {"schema": {"type": "object"}}}
    assert lines(ChatRequest, chat(response_format=schema)) == [
        "response_format › json_schema › name: Name is required."
    ]
    assert lines(ChatRequest, chat(orq={"cache": {"ttl": 60}})) == [
        "orq › cache › type: Type is required."
    ]


def test_a_tool_message_needs_the_tool_call_id_key_but_it_may_be_null() -> None:
    assert lines(ToolMessage, {"role": "tool", "content": "42"}) == [
        "tool_call_id: A tool message needs “tool_call_id”, the id of the call it answers"
        " (it may be null)."
    ]
    message = ToolMessage.model_validate({"role": "tool", "content": "42", "tool_call_id": None})
    assert message.model_dump(by_alias=True) == {
        "role": "tool",
        "content": "42",
        "tool_call_id": None,
    }


@pytest.mark.parametrize(
    ("file", "problem"),
    [
        ({}, "none"),
        ({"filename": "a.pdf"}, "none"),
        ({"file_data": "data:;base64,AA==", "uri": "https://x"}, "file_data and uri"),
        ({"file_data": "d", "file_id": "file-1", "uri": "u"}, "file_data and file_id and uri"),
    ],
)
def test_a_file_part_needs_exactly_one_source(file: dict[str, Any], problem: str) -> None:
    assert lines(FilePart, {"type": "file", "file": file}) == [
        f"file: A file needs exactly one of file_data, file_id or uri (you gave {problem})."
    ]


@pytest.mark.parametrize(
    "file",
    [
        {"file_data": "data:application/pdf;base64,AA==", "filename": "a.pdf"},
        {"file_id": "file-abc"},
        {"uri": "gs://b/a.pdf", "mimeType": "application/pdf"},
        {"uri": "gs://b/a.pdf", "mime_type": "application/pdf"},
    ],
)
def test_a_file_part_with_one_source_passes(file: dict[str, Any]) -> None:
    part = FilePart.model_validate({"type": "file", "file": file})
    wire = part.model_dump(by_alias=True, mode="json")["file"]
    assert "mime_type" not in wire  # camel-case on the wire
    assert len([k for k in ("file_data", "file_id", "uri") if k in wire]) == 1


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (
            chat(messages=[{"role": "user", "content": 5}]),
            "messages › #1 › content: Content must be text or a list of parts.",
        ),
        (
            chat(messages=[{"role": "user", "content": []}]),
            "messages › #1 › content: A list of content parts: give at least 1 (you gave 0).",
        ),
        (
            chat(messages=["hello"]),
            'messages › #1: A message must be an object with “role” (you entered "hello").',
        ),
        (chat(temperature="hot"), 'temperature: Temperature must be a number (you entered "hot").'),
        (chat(seed=1.5), "seed: Seed must be a whole number (you entered 1.5)."),
        (
            chat(metadata={"team": 5}),
            "metadata › team: Metadata value must be text (you entered 5).",
        ),
        (
            chat(logprobs="maybe"),
            'logprobs: Log probabilities must be true or false (you entered "maybe").',
        ),
        (chat(model=5), "model: Model must be text (you entered 5)."),
        (
            chat(messages={"role": "user"}),
            "messages: Messages must be a list (you entered an object).",
        ),
        (
            chat(orq=[]),
            "orq: Routing options must be an object with named values (you entered a list of 0).",
        ),
        (chat(stop=3), "stop: Stop must be text or a list of up to 4 texts."),
        (
            chat(orq={"inputs": "a=1"}),
            'orq › inputs: Inputs must be an object {"name": value} or a list of {"key", "value"}.',
        ),
        (
            chat(orq={"load_balancer": "a"}),
            'orq › load_balancer: Load balancer must be {"type": '
            '"weight_based", "models": [...]} or a list of entries.',
        ),
        (
            chat(tool_choice=1),
            'tool_choice: Tool choice must be "none", "auto", "required" or '
            '{"function": {"name": ...}}.',
        ),
    ],
)
def test_wrong_types_and_shapes(data: dict[str, Any], line: str) -> None:
    assert lines(ChatRequest, data) == [line]


@pytest.mark.parametrize(
    ("filter_by", "line"),
    [
        (
            {"x": {"like": "a"}},
            'Filter operator "like" on "x" is unknown; use one of: eq, ne, gt, '
            "gte, lt, lte, in, nin, exists.",
        ),
        ({"x": {"gt": "a"}}, 'Filter "gt" on "x" needs a number (you entered "a").'),
        (
            {"x": {"in": "a"}},
            'Filter "in" on "x" needs a list of text, numbers or true/false (you entered "a").',
        ),
        ({"x": {"exists": 1}}, 'Filter "exists" on "x" needs true or false (you entered 1).'),
        (
            {"x": {"eq": 1, "ne": 2}},
            'Filter on "x" must be one operator and its value, e.g. {"eq": "a"}.',
        ),
        (
            {"and": [{"x": {"eq": 1}}], "y": {"eq": 2}},
            'A filter with "and" or "or" must have nothing else beside it.',
        ),
        ({"or": {"x": {"eq": 1}}}, 'Filter "or" needs a list of field conditions.'),
    ],
)
def test_knowledge_base_filters(filter_by: dict[str, Any], line: str) -> None:
    data = chat(orq={"knowledge_bases": [{"knowledge_id": "k", "filter_by": filter_by}]})
    assert lines(ChatRequest, data) == [f"orq › knowledge_bases › #1 › filter_by: {line}"]


def test_parts_can_be_validated_on_their_own() -> None:
    message = UserMessage.model_validate(
        {"role": "user", "content": [{"type": "text", "text": "a"}]}
    )
    assert message.model_dump(by_alias=True, mode="json") == {
        "role": "user",
        "content": [{"type": "text", "text": "a"}],
    }
    orq = Orq.model_validate({"retry": {"on_codes": [429.0]}})
    assert orq.retry is not None and orq.retry.count == 3 and orq.retry.on_codes == [429]


def test_newer_api_shapes_are_accepted() -> None:
    req = ChatRequest.model_validate(
        chat(
            messages=[
                {
                    "role": "assistant",
                    "content": "a",
                    "reasoning_content": "r",
                    "tool_calls": [
                        {
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f"},
                            "extra_content": {"google": {"thought_signature": "s"}},
                        }
                    ],
                },
                {"role": "user", "content": [{"type": "file", "file": {"file_id": "file-1"}}]},
            ],
            thinking={"type": "adaptive"},
            reasoning_effort="max",
            plugins=[
                {"id": "pii_redaction", "entities": ["EMAIL"], "on_failure": "block"},
                {"id": "response_healing"},
                {"id": "trace_scrubbing", "mask": ["input", "output"]},
            ],
            variables={"name": "Ann"},
            prompt_cache_key="k",
            cache_control={"type": "ephemeral"},
            name="trace",
        )
    )
    wire = req.to_wire("/v2/router")
    assert wire["plugins"][2] == {"id": "trace_scrubbing", "mask": ["input", "output"]}
    assert wire["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    assert wire["messages"][0]["tool_calls"][0]["extra_content"] == {
        "google": {"thought_signature": "s"}
    }


def test_no_line_speaks_pydantic() -> None:
    bad = chat(
        messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}, 7],
        temperature=[1],
        stop={"a": 1},
        tools=[{"function": {"parameters": {"type": "array"}}}],
        tool_choice={"function": {}},
        audio={"voice": 1},
        orq={"identity": {"metadata": {"a": 1}}, "inputs": [{"value": 1}], "timeout": {}},
        variables=[],
    )
    found = lines(ChatRequest, bad)
    assert len(found) >= 10
    for line in found:
        assert "Input should" not in line and "type=" not in line and "Field required" not in line
        assert line.endswith((".", "?")), line
