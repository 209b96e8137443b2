"""Draft stage: a drafter turns a theme and its numbered evidence into a cited Section.

Drafters are backends behind one interface (`Drafter` in base.py), registered by
name; the offline drafter is registered exactly like any other.
"""

from __future__ import annotations

from typing import Callable

from assistant.config import Settings

from .base import FALLBACK_DRAFTER, DraftRequest, Drafter, fallback_notes

_DRAFTERS: dict[str, Callable[[Settings], Drafter]] = {}


def register_drafter(name: str, factory: Callable[[Settings], Drafter]) -> None:
    _DRAFTERS[name] = factory


def _builtins() -> None:
    from assistant.embed import get_embedder
    from assistant.tuning import load_tuning

    from .offline import OfflineDrafter

    _DRAFTERS.setdefault("offline", lambda settings: OfflineDrafter(get_embedder(settings.embedder),
                                                                    load_tuning(settings.embedder, settings.prompts_dir)))

    def llm(settings: Settings) -> Drafter:
        from .llm import LLMDrafter

        return LLMDrafter(settings, get_embedder(settings.embedder))

    _DRAFTERS.setdefault("llm", llm)


def resolve_drafter_name(settings: Settings, requested: str | None = None) -> str:
    """'auto' means the LLM drafter when an endpoint is configured, else offline."""
    name = requested or settings.drafter
    if name == "auto":
        name = "llm" if settings.llm_configured and "llm" in available_drafters() else "offline"
    return name


def available_drafters() -> list[str]:
    _builtins()
    return sorted(_DRAFTERS)


def get_drafter(settings: Settings, requested: str | None = None) -> Drafter:
    _builtins()
    name = resolve_drafter_name(settings, requested)
    if name not in _DRAFTERS:
        raise ValueError(f"unknown drafter '{name}'; available: {', '.join(available_drafters())}")
    return _DRAFTERS[name](settings)


__all__ = ["FALLBACK_DRAFTER", "DraftRequest", "Drafter", "available_drafters", "fallback_notes", "get_drafter", "register_drafter", "resolve_drafter_name"]
