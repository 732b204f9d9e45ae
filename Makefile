# tweet-lake: `make demo` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DAYS ?= 7
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install demo test bench bench-connect sql report dev lint clean-lake

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\nfreshness:\n  enabled: true\n' > $@

# The last $(DEMO_DAYS) complete UTC days, on the offline corpus, as one run; then the gold table.
demo: install $(DAGSTER_HOME)/dagster.yaml
	@range=$$($(BIN)/python -c 'from datetime import UTC, datetime, timedelta as d; \
	t = datetime.now(UTC).date(); print(f"{t - d(days=$(DEMO_DAYS))}...{t - d(days=1)}")'); \
	echo "Materializing $$range on the offline demo corpus"; \
	env -u TWITTER_BEARER_TOKEN $(BIN)/dagster asset materialize -m tweet_assets.definitions \
		--select '*' --partition-range "$$range" && \
	$(BIN)/tweet-lake-show gold_daily_counts --from "$${range%...*}" --to "$${range#*...}"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Every scale target (bench/run.py) on the offline corpus, then the executors on Spark Connect
# (bench/connect.py); writes bench/RESULTS.md (~20 min).
bench: install $(VENV)/.bench-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/connect.py

# Only the Spark Connect section of bench/RESULTS.md (~5 min).
bench-connect: install $(VENV)/.bench-installed
	$(BIN)/python bench/connect.py

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# make sql Q="select * from gold_daily_counts order by date"; without Q, a prompt.
sql: install
	$(BIN)/tweet-lake-sql $${Q:+"$$Q"}

# gold's tweets, authors and likes per day as HTML charts in datalake/reports/.
report: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/tweet-lake-report

# Dagit and the daemon on http://127.0.0.1:3000; `make dev SCHEDULE=running` starts the schedule.
dev: install $(DAGSTER_HOME)/dagster.yaml
	$(if $(SCHEDULE),TWEETS_SCHEDULE=$(SCHEDULE)) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

clean-lake:
	find datalake -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
