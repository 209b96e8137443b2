"""Talking to OpenAI-compatible chat endpoints: the client, structured replies, and local test servers."""
