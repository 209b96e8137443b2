"""The chat transport as a seam: a `ChatBackend` sends one chat request and returns the reply's text.

Backends know their wire protocol and nothing else; the fault policy is one wrapper,
`Retrying`, around any of them, so it is written (and tested) once. A backend makes one
attempt and reports what went wrong with these error types:

- `TransientError`: worth another try (timeout, connection refused, 429, 5xx), with the
  server's Retry-After when it gave one;
- `BackendAuthError`: the key was refused; not retried, says what to check;
- `FormatUnsupported`: the endpoint rejects this response format; the caller steps down
  its ladder instead of retrying;
- `BackendError`: anything else; not retried.

Backends are chosen by name (`chat_backend`): "openai" (OpenAI, Azure OpenAI or any
compatible server, from the environment) and "local" (the llama.cpp server the product
starts and manages itself, assistant/llm/managed.py).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)


class BackendError(RuntimeError):
    """The endpoint could not produce an answer; str() is safe to show (no key in it)."""


class BackendAuthError(BackendError):
    pass


class FormatUnsupported(BackendError):
    pass


class TransientError(BackendError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ChatBackend(Protocol):
    # Identifies endpoint and model, for remembering which response format it honours.
    key: str
    # The model's name, as the drafter labels its sections ("llm:<model>").
    model: str

    def complete(self, messages: list[dict], schema: dict | None, max_tokens: int,
                 on_delta: Callable[[str], None] | None = None) -> str:
        """One attempt. `schema` is the response-format request (None: free prose); streamed to `on_delta` when given."""
        ...

    def describe(self) -> str:
        """Which model drafts and where, for the banner (never a key)."""
        ...


@dataclass
class RetryPolicy:
    max_attempts: int = 4
    backoff: float = 1.0  # seconds, doubled per attempt, with jitter
    max_retry_after: float = 30.0

    def delay(self, attempt: int, exc: TransientError) -> float:
        if exc.retry_after is not None:
            return min(exc.retry_after, self.max_retry_after)
        return self.backoff * (2 ** (attempt - 1)) * (1 + random.random() * 0.25)


class Retrying:
    """Any backend with the retry policy: transient faults are retried with backoff, the rest raised at once."""

    def __init__(self, backend: ChatBackend, policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep):
        self.backend = backend
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    @property
    def key(self) -> str:
        return self.backend.key

    @property
    def model(self) -> str:
        return self.backend.model

    def describe(self) -> str:
        return self.backend.describe()

    def complete(self, messages: list[dict], schema: dict | None = None, max_tokens: int = 1024,
                 on_delta: Callable[[str], None] | None = None, on_restart: Callable[[], None] | None = None) -> str:
        """The reply's text. A retry after part of a stream was shown calls `on_restart`, so a viewer can clear it."""
        attempts = self.policy.max_attempts
        last: TransientError | None = None
        for attempt in range(1, attempts + 1):
            if attempt > 1 and on_restart is not None:
                on_restart()
            try:
                return self.backend.complete(messages, schema, max_tokens, on_delta)
            except TransientError as exc:
                last = exc
                log.warning("LLM request failed (attempt %d/%d): %s", attempt, attempts, str(exc)[:200])
                if attempt < attempts:
                    self._sleep(self.policy.delay(attempt, exc))
        raise BackendError(f"the model endpoint failed {attempts} times: {last}")


def chat_backend(settings: "Settings", name: str | None = None) -> Retrying:
    """The backend called `name` (default: the settings' `llm_backend`), with the retry policy."""
    from assistant.llm.client import EndpointConfig, OpenAIBackend

    name = name or settings.llm_backend
    if name == "openai":
        config = EndpointConfig.from_env(settings.openai_model)
        return Retrying(OpenAIBackend(config), config.policy())
    if name == "local":
        from assistant.llm.managed import LocalModelBackend

        backend = LocalModelBackend.for_settings(settings)
        return Retrying(backend, backend.policy())
    raise ValueError(f"unknown chat backend '{name}'; available: openai, local")
