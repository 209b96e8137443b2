"""Shared by the real-model tests: a client for a local llama.cpp server."""

from __future__ import annotations

from assistant.llm.client import ChatClient, EndpointConfig


def local_client(url, **kw):
    return ChatClient(EndpointConfig(base_url=url, api_key=None, model="local", timeout=600, **kw))


