import pytest

from recommender.config import load_settings
from recommender.errors import ConfigError
from recommender.signals import DEFAULT_WEIGHTS


def test_defaults_file_environment_order(tmp_path):
    file = tmp_path / "magpie.toml"
    file.write_text('top_k = 7\nllm_backend = "none"\n[weights]\ntext = 2.5\n')
    env = {"MAGPIE_TOP_K": "3", "MAGPIE_WEIGHT_COOCCUR": "1.5", "MAGPIE_PROFILE_LLM": "false"}
    s = load_settings(file, env=env)
    assert s.top_k == 3  # environment beats file
    assert s.llm_backend == "none"  # file beats default
    assert s.weights["text"] == 2.5 and s.weights["cooccur"] == 1.5
    assert s.weights["keyword"] == DEFAULT_WEIGHTS["keyword"]
    assert s.profile_llm is False


def test_bad_values_are_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"(?i)top_k"):
        load_settings(env={"MAGPIE_TOP_K": "many"})
    file = tmp_path / "magpie.toml"
    file.write_text("colour = 'red'\n")
    with pytest.raises(ConfigError, match="unknown"):
        load_settings(file, env={})
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.toml", env={})


def test_settings_are_frozen():
    s = load_settings(env={})
    with pytest.raises(AttributeError):
        s.top_k = 1  # type: ignore[misc]
