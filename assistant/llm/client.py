"""The OpenAI-compatible chat backend (OpenAI, Azure OpenAI, llama.cpp, vLLM, Ollama ...).

Reads the configuration the OpenAI SDK reads (OPENAI_API_KEY, OPENAI_BASE_URL;
AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION). The SDK's own
retries are switched off so the policy is ours (backend.Retrying) and tested: timeouts,
connection errors, 429 (honouring Retry-After) and 5xx are classified transient and retried
with backoff; a bad key is not retried and says what to check; a request the endpoint
rejects because of its `response_format` is reported as `FormatUnsupported`, so the caller
can step down its ladder instead of retrying.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from assistant.llm.backend import BackendAuthError, BackendError, FormatUnsupported, Retrying, RetryPolicy, TransientError

__all__ = ["ChatClient", "EndpointConfig", "FormatUnsupported", "LLMAuthError", "LLMError", "OpenAIBackend"]

log = logging.getLogger(__name__)


# The error types live with the seam (backend.py); these names stay for the callers that use them.
LLMError = BackendError
LLMAuthError = BackendAuthError


_FORMAT_HINT = re.compile(r"response_format|json_schema|json_object|validation error|unexpected keyword|extra_forbidden|schema", re.IGNORECASE)


def _redact(text: str) -> str:
    """Never echo a key back: the SDK's messages can include request details."""
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
        value = os.environ.get(name)
        if value and len(value) > 4:
            text = text.replace(value, "[redacted]")
    return re.sub(r"sk-[A-Za-z0-9_\-]{8,}", "sk-[redacted]", text)


@dataclass
class EndpointConfig:
    base_url: str | None
    api_key: str | None
    model: str
    azure_endpoint: str | None = None
    api_version: str | None = None
    timeout: float = 300.0
    max_attempts: int = 4
    backoff: float = 1.0  # seconds, doubled per attempt, with jitter
    max_retry_after: float = 30.0

    @classmethod
    def from_env(cls, model: str, **overrides) -> "EndpointConfig":
        azure = os.environ.get("AZURE_OPENAI_ENDPOINT") or None
        config = cls(
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            api_key=(os.environ.get("AZURE_OPENAI_API_KEY") if azure else None) or os.environ.get("OPENAI_API_KEY") or None,
            model=model,
            azure_endpoint=azure,
            api_version=os.environ.get("OPENAI_API_VERSION") or None,
            # Generous: a local server keeps working on a request whose client gave up,
            # so a short timeout turns one slow answer into a queue of abandoned ones.
            timeout=float(os.environ.get("ASSISTANT_LLM_TIMEOUT", "300")),
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    @property
    def key(self) -> str:
        """Identifies the endpoint and model, for remembering what it supports."""
        return f"{self.azure_endpoint or self.base_url or 'https://api.openai.com/v1'}|{self.model}"

    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.backoff, self.max_retry_after)


class OpenAIBackend:
    """One request to an OpenAI, Azure OpenAI or compatible endpoint (a ChatBackend); faults classified, not retried."""

    def __init__(self, config: EndpointConfig):
        from openai import AzureOpenAI, OpenAI

        self.config = config
        common = dict(timeout=config.timeout, max_retries=0)
        if config.azure_endpoint:
            self._client = AzureOpenAI(azure_endpoint=config.azure_endpoint, api_key=config.api_key, api_version=config.api_version, **common)
        else:
            # Local servers (llama.cpp, vLLM, Ollama) need no key, but the SDK insists on one.
            self._client = OpenAI(base_url=config.base_url, api_key=config.api_key or "not-needed", **common)

    @property
    def key(self) -> str:
        return self.config.key

    @property
    def model(self) -> str:
        return self.config.model

    def describe(self) -> str:
        where = self.config.azure_endpoint or self.config.base_url or "the OpenAI API"
        return f"the language model {self.config.model} at {where}"

    def complete(self, messages: list[dict], schema: dict | None, max_tokens: int,
                 on_delta: Callable[[str], None] | None = None) -> str:
        try:
            if on_delta is None:
                return self._once(messages, schema, max_tokens)
            return "".join(self._stream(messages, schema, max_tokens, on_delta))
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below
            raise self._classify(exc, schema) from exc

    def _once(self, messages, response_format, max_tokens) -> str:
        kwargs = dict(model=self.config.model, messages=messages, max_tokens=max_tokens, temperature=0.2)
        if response_format:
            kwargs["response_format"] = response_format
        response = self._client.chat.completions.create(**kwargs)
        choice = response.choices[0]
        content = choice.message.content or ""
        if not content.strip():
            raise TransientError("the model returned an empty reply")
        return content

    def _stream(self, messages, response_format, max_tokens, on_delta) -> Iterator[str]:
        kwargs = dict(model=self.config.model, messages=messages, max_tokens=max_tokens, temperature=0.2, stream=True)
        if response_format:
            kwargs["response_format"] = response_format
        finished = False
        pieces: list[str] = []
        for event in self._client.chat.completions.create(**kwargs):
            if not event.choices:
                continue
            choice = event.choices[0]
            delta = getattr(choice.delta, "content", None) or ""
            if delta:
                pieces.append(delta)
                on_delta(delta)
            if choice.finish_reason:
                finished = True
        if not finished:
            raise TransientError("the reply stream ended before the model finished (truncated)")
        yield from pieces

    def _classify(self, exc: Exception, response_format: dict | None) -> BackendError:
        """The error type that says whether `exc` is worth retrying."""
        import openai

        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return BackendAuthError(
                "the model endpoint refused the API key: check OPENAI_API_KEY (or AZURE_OPENAI_API_KEY) and OPENAI_BASE_URL")
        if isinstance(exc, openai.NotFoundError):
            return BackendError(f"the endpoint does not know the model '{self.config.model}': check ASSISTANT_MODEL")
        if isinstance(exc, openai.APIStatusError) and response_format is not None and exc.status_code in (400, 422, 500):
            body = _describe(exc)
            if exc.status_code in (400, 422) or _FORMAT_HINT.search(body):
                return FormatUnsupported(f"endpoint rejected response_format {response_format.get('type')}: {_redact(body)[:200]}")
        if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
            return BackendError(f"the endpoint rejected the request: {_redact(_describe(exc))[:300]}")
        retry_after = _retry_after(exc) if isinstance(exc, openai.RateLimitError) else None
        return TransientError(_redact(_describe(exc)), retry_after)


class ChatClient(Retrying):
    """The OpenAI-compatible backend with the retry policy its config names."""

    def __init__(self, config: EndpointConfig, sleep: Callable[[float], None] = time.sleep):
        super().__init__(OpenAIBackend(config), config.policy(), sleep)
        self.config = config


def _retry_after(exc) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _describe(exc: Exception | None) -> str:
    if exc is None:
        return "unknown error"
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else body.get("message")
        if message:
            return f"{type(exc).__name__}: {message}"
    return f"{type(exc).__name__}: {exc}"
