"""Parsing a model's reply: the prose rung's "not answered" (prompts/llm/gated_prose.md) is a reply, not a failure."""

from __future__ import annotations

import pytest

from assistant.llm.structured import NotAnswered, ReplyInvalid, parse_reply


@pytest.mark.parametrize("text", ["Not answered.", "not answered", "```\nNot answered.\n```"])
def test_prose_not_answered_is_not_answered(text):
    with pytest.raises(NotAnswered):
        parse_reply(text, "prose")


def test_prose_that_only_mentions_it_is_parsed_as_sentences():
    assert parse_reply("The question of reporting is not answered by government. [2]", "prose") == [
        ("The question of reporting is not answered by government.", [2])]
    with pytest.raises(ReplyInvalid):
        parse_reply("", "prose")
