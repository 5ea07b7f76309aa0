import pytest

from recommender.config import load_settings
from recommender.errors import ConfigError
from recommender.reply.prompts import PromptBook


def test_every_prompt_renders_with_its_declared_variables():
    book = PromptBook(load_settings(env={}).prompts_dir)
    assert {
        "reply_system",
        "opening_system",
        "reply_user",
        "profile_system",
        "profile_user",
    } <= set(book.names())
    for name in book.names():
        prompt = book[name]
        text = prompt.render(**{v: f"<{v}>" for v in prompt.variables})
        assert all(f"<{v}>" in text for v in prompt.variables)
        assert "$" not in text.replace("$$", "")


def test_missing_or_extra_variable_is_an_error():
    book = PromptBook(load_settings(env={}).prompts_dir)
    with pytest.raises(ConfigError):
        book.render("profile_user", history="h")
    with pytest.raises(ConfigError):
        book.render("profile_user", history="h", message="m", extra="x")


def test_undeclared_placeholder_in_a_file_is_rejected(tmp_path):
    (tmp_path / "bad.txt").write_text("# variables: a\n---\n$a and $b\n")
    with pytest.raises(ConfigError):
        PromptBook(tmp_path)
