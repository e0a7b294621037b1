# perp-fragility: two commands do everything on a fresh machine (Python 3.11 and make present).
#   make demo   install, run the offline pipeline end to end, print the PDF path
#   make test   install and run the whole test suite (CI calls exactly this)
#   make dev    open the Dagster UI on http://127.0.0.1:3000 with the same data directory

PYTHON ?= python3.11
UV_VERSION := 0.13.9
BOOT := .uv
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export PERP_FRAGILITY_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(PERP_FRAGILITY_DATA_DIR)/dagster_home
# Event-log tuning for partition-range runs (orchestration/instance.py INSTANCE_ENV):
# the daemon of `make dev` creates backfill runs too, so it needs the same setting.
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS ?= true
export DAGSTER_EVENT_BATCH_SIZE ?= 1000
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
# Compile .pyc at install: otherwise the first demo run spends its start-up compiling.
export UV_COMPILE_BYTECODE := 1

.PHONY: install demo test dev report-png lint clean bench bench-quick

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly the versions in uv.lock (the project itself editable, with test extras).
install: $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON) --quiet

demo: install
	$(BIN)/perp-fragility demo

test: install
	$(BIN)/perp-fragility prepare
	$(BIN)/python -m pytest

# In live mode (PERP_FRAGILITY_SOURCE=live) the liquidation collector runs beside the UI and is
# stopped with it (SIGTERM: it flushes first); `make dev COLLECTOR=no` leaves it out.
COLLECTOR ?= yes
dev: install
	$(BIN)/perp-fragility prepare
	@if [ "$${PERP_FRAGILITY_SOURCE:-simulated}" = live ] && [ "$(COLLECTOR)" = yes ]; then \
	  $(BIN)/perp-fragility collect-liquidations & collector=$$!; \
	  trap 'kill -TERM '$$collector' 2>/dev/null; wait '$$collector'' EXIT INT TERM; \
	  echo "liquidation collector running (pid $$collector), files under $$PERP_FRAGILITY_DATA_DIR"; \
	  $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000; \
	else \
	  $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000; \
	fi

# Renders each page of the latest report to PNG for a visual check (needs poppler-utils).
report-png:
	@command -v pdftoppm >/dev/null || { echo "pdftoppm missing: apt-get install -y poppler-utils"; exit 1; }
	@pdf=$$(ls -t $(PERP_FRAGILITY_DATA_DIR)/reports/fragility-*.pdf | head -1); \
	  pdftoppm -png -r 80 "$$pdf" "$${pdf%.pdf}-page" && ls "$${pdf%.pdf}"-page*.png

# Benchmarks (docs/performance.md): full scale, and a CI-sized smoke run under 5 minutes.
bench: install
	$(BIN)/python bench/bench_pipeline.py

bench-quick: install
	$(BIN)/python bench/bench_pipeline.py --quick

lint: install
	$(BIN)/ruff check orchestration reports tests bench

clean:
	rm -rf dbt_project/target dbt_project/logs dbt_project/dbt_packages .pytest_cache
