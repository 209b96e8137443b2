"""A stand-in for llama-cpp-python, on PYTHONPATH only in the managed-server tests (tests/llm/test_managed.py)."""
