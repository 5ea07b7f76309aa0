"""Chat LLM backends: llama.cpp (default, GGUF), transformers, an OpenAI-compatible endpoint.

All three stream text pieces behind ``ChatLLM.stream``. With ``json_schema``, llama.cpp and
OpenAI-compatible servers constrain decoding to the schema (a grammar); transformers cannot,
so its output is validated by the caller like any other (and the rule reader stays the
fallback).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from recommender.errors import ConfigError, LLMError, ModelUnavailable
from recommender.models.base import Generation, GenerationOptions
from recommender.models.weights import PRESETS, assemble

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = ["LlamaCppLLM", "OpenAICompatLLM", "TransformersLLM", "load_llm", "model_file"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: dict[tuple[Any, ...], Any] = {}


def model_file(setting: str, cache_dir: Path) -> Path | None:
    """A preset assembled into the cache, or a local ``.gguf`` path; None for a hub id."""
    if setting in PRESETS:
        return assemble(PRESETS[setting], cache_dir)
    path = Path(os.path.expanduser(setting))
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelUnavailable(f"no GGUF file at {path}")
        return path
    return None


class LlamaCppLLM:
    """A GGUF model through llama-cpp-python; one generation at a time per model."""

    def __init__(
        self, path: Path, *, n_ctx: int = 4096, n_threads: int = 0, name: str = ""
    ) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise ModelUnavailable(
                "llama-cpp-python is not installed: pip install llama-cpp-python"
            ) from e
        threads = n_threads or max(1, os.cpu_count() or 1)
        try:
            self._llm: Any = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                n_batch=512,
                verbose=False,
            )
        except Exception as e:  # ValueError for a bad file, RuntimeError from the C side
            raise ModelUnavailable(f"cannot load the language model {path.name}: {e}") from e
        self.name = name or path.stem
        self._lock = threading.Lock()

    def stream(
        self, messages: Sequence[dict[str, str]], **options: Unpack[GenerationOptions]
    ) -> Iterator[str]:
        ask = Generation(**options)
        kwargs: dict[str, Any] = {
            "max_tokens": ask.max_tokens,
            "temperature": ask.temperature,
            "stream": True,
        }
        if ask.json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": ask.json_schema}
        with self._lock:
            try:
                for chunk in self._llm.create_chat_completion(messages=list(messages), **kwargs):
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except Exception as e:
                raise LLMError("the language model failed while writing") from e


class TransformersLLM:
    """A hub id, a local folder, or a GGUF file through transformers (slower on CPU)."""

    def __init__(self, source: str, *, gguf_file: str | None = None, name: str = "") -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise ModelUnavailable(
                "transformers is not installed: pip install transformers torch"
            ) from e
        kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(source, **kwargs)
            self._model: Any = AutoModelForCausalLM.from_pretrained(
                source, dtype=torch.float32, **kwargs
            )
        except Exception as e:
            raise ModelUnavailable(f"cannot load the language model {source!r}: {e}") from e
        self._model.eval()
        self.name = name or source
        self._lock = threading.Lock()

    def stream(
        self, messages: Sequence[dict[str, str]], **options: Unpack[GenerationOptions]
    ) -> Iterator[str]:
        ask = Generation(**options)
        from transformers import TextIteratorStreamer

        chat = list(messages)
        if ask.json_schema is not None:
            # No grammar here: ask for the shape in words; the caller validates.
            chat = [
                *chat[:-1],
                {
                    "role": chat[-1]["role"],
                    "content": chat[-1]["content"]
                    + "\nAnswer with one JSON object only, matching this schema: "
                    + json.dumps(ask.json_schema),
                },
            ]
        inputs = self._tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        generate_kwargs: dict[str, Any] = dict(
            **dict(inputs),  # type: ignore[arg-type]
            max_new_tokens=ask.max_tokens,
            streamer=streamer,
            do_sample=ask.temperature > 0,
            temperature=ask.temperature if ask.temperature > 0 else None,
            top_p=None,
            top_k=None,
        )
        errors: list[BaseException] = []

        def run() -> None:
            try:
                self._model.generate(**generate_kwargs)
            except BaseException as e:  # surfaced to the caller below
                errors.append(e)
                streamer.end()

        with self._lock:
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            yield from (piece for piece in streamer if piece)
            worker.join()
        if errors:
            raise LLMError("the language model failed while writing") from errors[0]


class OpenAICompatLLM:
    """An OpenAI-compatible chat endpoint (vLLM, TGI, llama.cpp server, Ollama), streamed."""

    def __init__(
        self, base_url: str, model: str, api_key: str = "", timeout_s: float = 60.0
    ) -> None:
        if not base_url:
            raise ConfigError(
                "llm_backend=openai needs llm_base_url (e.g. http://localhost:8080/v1)"
            )
        import httpx

        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout_s,
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
        )
        self.name = model

    def stream(
        self, messages: Sequence[dict[str, str]], **options: Unpack[GenerationOptions]
    ) -> Iterator[str]:
        ask = Generation(**options)
        import httpx

        body: dict[str, Any] = {
            "model": self.name,
            "messages": list(messages),
            "max_tokens": ask.max_tokens,
            "temperature": ask.temperature,
            "stream": True,
        }
        if ask.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "profile", "schema": ask.json_schema},
            }
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    chunk = json.loads(data)
                    if not isinstance(chunk, dict):
                        raise LLMError("the language model endpoint sent a malformed chunk")
                    choices = chunk.get("choices") or [{}]
                    delta = choices[0].get("delta") if isinstance(choices[0], dict) else None
                    piece = delta.get("content") if isinstance(delta, dict) else None
                    if piece:
                        yield piece
        except (httpx.HTTPError, json.JSONDecodeError) as e:
            raise LLMError("the language model endpoint failed") from e


def load_llm(settings: Settings) -> Any:
    """The configured chat LLM, loaded once per process; None when ``llm_backend`` is ``none``."""
    backend = settings.llm_backend.lower()
    if backend in {"none", "", "off"}:
        return None
    key = (
        backend,
        settings.llm_model,
        settings.llm_base_url,
        settings.llm_context,
        settings.llm_threads,
    )
    with _lock:
        if key not in _loaded:
            _loaded[key] = _build(backend, settings)
        return _loaded[key]


def _build(backend: str, s: Settings) -> Any:
    if backend == "llama_cpp":
        path = model_file(s.llm_model, Path(s.cache_dir))
        if path is None:
            raise ConfigError(
                f"llm_backend=llama_cpp needs a preset or a .gguf path, not {s.llm_model!r}"
            )
        log.info("loading %s with llama.cpp", path.name)
        return LlamaCppLLM(path, n_ctx=s.llm_context, n_threads=s.llm_threads, name=s.llm_model)
    if backend == "transformers":
        path = model_file(s.llm_model, Path(s.cache_dir))
        if path is not None:
            return TransformersLLM(str(path.parent), gguf_file=path.name, name=s.llm_model)
        return TransformersLLM(s.llm_model)
    if backend == "openai":
        return OpenAICompatLLM(s.llm_base_url, s.llm_model, s.llm_api_key, s.llm_timeout_s)
    raise ConfigError(f"unknown llm_backend {backend!r} (llama_cpp, transformers, openai, none)")
