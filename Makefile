# ssemo — make targets are the user interface. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= configs/default.yaml
SHARED_DATA ?= ../shared/data
MLFLOW_URI ?= sqlite:///mlflow.db
BENCHES := $(patsubst benchmarks/%.py,%,$(filter-out benchmarks/_%,$(wildcard benchmarks/*.py)))

export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export SSEMO_SHARED_DATA := $(SHARED_DATA)

.PHONY: help lock run studies nightly suggest ingest campaign mlflow-server evaluate train predict test lint bench ui compare clean $(addprefix bench-,$(BENCHES))

help: ## List every target with a one-line description
	@echo "ssemo — Solid-State Electrolyte Membrane Optimizer"
	@echo
	@grep -hE '^[a-zA-Z0-9_.%-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | \
		awk -F'\t' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  make bench-<name>     run one benchmark: $(BENCHES)"

.venv: $(STAMP) ## Create the virtual environment from requirements.lock (done automatically)

$(STAMP): requirements.lock pyproject.toml
	@echo "Building $(VENV) from requirements.lock (first run only; log in $(VENV)/install.log) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@( $(BIN)/python -m pip install --upgrade "pip>=24" && \
	   $(BIN)/python -m pip install --require-hashes -r requirements.lock && \
	   $(BIN)/python -m pip install --no-deps -e . ) > $(VENV)/install.log 2>&1 || \
	 { tail -n 40 $(VENV)/install.log; echo "environment build failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)
	@echo "Environment ready."

lock: ## Re-resolve requirements.lock from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

SURROGATE_STAMP := results/.surrogate-registered

run: $(STAMP) $(SURROGATE_STAMP) ## Run the main job (NSGA-II study of configs/default.yaml) on the shipped data
	$(BIN)/ssemo run --config $(CONFIG)

studies: $(STAMP) $(SURROGATE_STAMP) ## Run every named study in configs/studies/
	@for f in configs/studies/*.yaml; do echo "== $$f"; $(BIN)/ssemo run --config $$f --origin studies || exit 1; \
		if grep -q '^  stacks:' $$f; then $(BIN)/ssemo stacks --config $$f || exit 1; fi; done

nightly: $(STAMP) ## Run the nightly job (configs/jobs/nightly.yaml): locked, checkpointed, resumable
	$(BIN)/ssemo job run configs/jobs/nightly.yaml

suggest: $(STAMP) $(SURROGATE_STAMP) ## Next batch of designs to make (suggestions.csv, report section): CONFIG=...
	$(BIN)/ssemo suggest --config $(CONFIG)

ingest: $(STAMP) ## Add a lab's measurements to the store: make ingest FILE=measurements.csv
	@test -n "$(FILE)" || { echo "usage: make ingest FILE=measurements.csv (format: configs/examples/measurements.csv)"; exit 2; }
	$(BIN)/ssemo ingest $(FILE)

campaign: $(STAMP) ## The closed loop (configs/jobs/campaign.yaml): retrain on measurements, rerun studies, suggest
	$(BIN)/ssemo job run configs/jobs/campaign.yaml

MLFLOW_SERVER_PORT ?= 5001
mlflow-server: $(STAMP) ## Start an MLflow tracking server on 127.0.0.1:5001 (MLFLOW_SERVER_PORT=...; SQLite + local artifacts)
	$(BIN)/mlflow server --host 127.0.0.1 --port $(MLFLOW_SERVER_PORT) --workers 1 \
		--backend-store-uri sqlite:///mlflow-server.db --artifacts-destination ./mlartifacts-server

evaluate: $(STAMP) ## Score the example designs table (configs/examples/designs.csv)
	$(BIN)/ssemo evaluate --config $(CONFIG) --designs configs/examples/designs.csv --out results/evaluated_designs.csv

$(SURROGATE_STAMP): $(STAMP) configs/train_default.yaml surrogates/__init__.py $(wildcard configs/data/*.csv configs/data/*.csv.gz)
	@echo "Training the default surrogate on the shipped data (fixed recipe, configs/train_default.yaml; reused while data and recipe are unchanged) ..."
	$(BIN)/ssemo train --config configs/train_default.yaml
	@mkdir -p results && touch $@

train: $(STAMP) ## Tune (Optuna), train and register the conductivity surrogate on the shipped data
	$(BIN)/ssemo train --config configs/train.yaml
	@mkdir -p results && touch $(SURROGATE_STAMP)

predict: $(STAMP) ## Predict conductivity for configs/examples/compositions.csv with the registered model
	$(BIN)/ssemo predict --input configs/examples/compositions.csv --out results/predictions.csv

test: $(STAMP) ## Run the test suite (what CI runs)
	$(BIN)/python -m pytest

lint: $(STAMP) ## Ruff lint + format check, mypy type check of the three packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(addprefix bench-,$(BENCHES)) ## Run every benchmark (results in benchmarks/results/)

$(addprefix bench-,$(BENCHES)): bench-%: $(STAMP)
	$(BIN)/python benchmarks/$*.py

ui: $(STAMP) ## Open the MLflow UI on 127.0.0.1:5000 over the local tracking store (prints each experiment's runs-table link)
	@$(BIN)/ssemo ui-links --tracking-uri $(MLFLOW_URI)
	$(BIN)/mlflow ui --backend-store-uri $(MLFLOW_URI) --host 127.0.0.1 --port 5000 --workers 1

compare: $(STAMP) ## Compare two study runs' fronts: make compare A=<run id or study> B=<run id or study>
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make compare A=<run id or study name> B=<run id or study name>"; exit 2; }
	$(BIN)/ssemo compare $(A) $(B) --config $(CONFIG)

clean: ## Remove caches, benchmark results and scratch outputs (keeps .venv, study results and the MLflow store)
	rm -rf .pytest_cache .mypy_cache .ruff_cache benchmarks/results mlruns
	rm -f results/*.csv
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
