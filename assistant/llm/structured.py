"""Structured replies: a JSON schema for a cited section, a ladder of ways to ask for it,
memory of which rung each endpoint honours, and strict parsing of whatever comes back.

Measured on a small local model: as free prose it put citation markers one
sentence late; asked for JSON that follows a schema it placed them right. So
JSON comes first, and prose with [n] markers is the last rung.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

from assistant.sentences import split_sentences

log = logging.getLogger(__name__)

_SENTENCE = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "evidence": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["text", "evidence"],
    "additionalProperties": False,
}

SECTION_SCHEMA = {
    "type": "object",
    "properties": {
        # None (the passages do not answer the question), or at least two: measured here, a small model
        # asked for "three sentences" wrote one, and without the minimum Qwen 1.5B answered most questions
        # in one sentence that missed their key points (sample-corpus coverage 0.80 -> 0.50).
        "sentences": {"anyOf": [
            {"type": "array", "maxItems": 0},
            {"type": "array", "minItems": 2, "maxItems": 8, "items": _SENTENCE},
        ]},
        # After the sentences (grammar-constrained servers write properties in this order): false, with no
        # sentences, when the passages do not answer the question. Sentences written are used either way,
        # since verification, not the model's own flag, decides what stands.
        "answered": {"type": "boolean"},
    },
    "required": ["sentences", "answered"],
    "additionalProperties": False,
}


class NotAnswered(Exception):
    """The model said the passages do not answer the question (a reply, not a failure)."""

# Best first. OpenAI's standard form; llama-cpp-python's form (it rejects the
# standard one with an HTTP 500); plain JSON mode; prose with [n] markers.
LADDER = ("json_schema", "json_object_schema", "json_object", "prose")


class ReplyInvalid(ValueError):
    pass


def response_format(mode: str) -> dict | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "cited_section", "schema": SECTION_SCHEMA, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": SECTION_SCHEMA}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def parse_reply(text: str, mode: str) -> list[tuple[str, list[int]]]:
    """(sentence, evidence numbers) pairs from a reply; ReplyInvalid when it does not fit the schema."""
    if mode == "prose":
        return parse_prose(text)
    try:
        data = json.loads(_FENCE.sub("", text.strip()))
    except json.JSONDecodeError as exc:
        raise ReplyInvalid(f"reply is not valid JSON ({exc.msg} at {exc.pos})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sentences"), list):
        raise ReplyInvalid(f"reply JSON has no 'sentences' list (keys: {sorted(data) if isinstance(data, dict) else type(data).__name__})")
    out = []
    for item in data["sentences"]:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ReplyInvalid("a sentence is not an object with a 'text' string")
        evidence = item.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in evidence):
            raise ReplyInvalid("a sentence's 'evidence' is not a list of passage numbers")
        text_ = " ".join(item["text"].split())
        # A model may also put markers inside the text; they are the same claim, so merge them.
        inline = [int(n) for group in _MARKERS.findall(text_) for n in re.split(r"[,;]", group)]
        text_ = _MARKERS.sub("", text_).strip()
        # One "text" may hold several sentences; each is a claim of its own, with the same sources.
        for sentence in split_sentences(text_) if text_ else []:
            out.append((sentence, list(dict.fromkeys(evidence + inline))))
    if not out:
        if data.get("answered") is True or "answered" not in data:
            raise ReplyInvalid("reply has no sentences")
        raise NotAnswered()
    return out


def parse_prose(text: str) -> list[tuple[str, list[int]]]:
    """Sentences with their trailing [n] markers. A marker that opens the next sentence
    ('... savings. [2] The council...') belongs to the sentence before it. "Not answered." is NotAnswered."""
    text = _FENCE.sub("", text.strip())
    # The prose prompt's reply for a question the passages do not answer (prompts/llm/gated_prose.md).
    if re.fullmatch(r"not answered\W*", text, re.IGNORECASE):
        raise NotAnswered()
    # Move markers that follow a full stop to before it, so the splitter keeps them with their sentence.
    text = re.sub(r"([.!?])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)", lambda m: m.group(2) + m.group(1), text)
    out = []
    for sentence in split_sentences(text):
        numbers = [int(n) for group in _MARKERS.findall(sentence) for n in re.split(r"[,;]", group)]
        clean = _MARKERS.sub("", sentence).strip()
        clean = re.sub(r"\s+([.!?])$", r"\1", clean)
        if clean and not clean.startswith("#"):
            out.append((clean, list(dict.fromkeys(numbers))))
    if not out:
        raise ReplyInvalid("reply has no sentences")
    return out


class CapabilityMemory:
    """Remembers, per endpoint and model, the first rung of the ladder that worked."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, str] = {}
        if path and path.exists():
            try:
                self._data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                log.warning("ignoring unreadable %s", path)

    def ladder(self, endpoint: str) -> tuple[str, ...]:
        start = self._data.get(endpoint)
        return LADDER[LADDER.index(start):] if start in LADDER else LADDER

    def remember(self, endpoint: str, mode: str) -> None:
        with self._lock:
            if self._data.get(endpoint) == mode:
                return
            self._data[endpoint] = mode
            if self.path:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self._data, indent=2), encoding="utf-8")
                tmp.replace(self.path)
