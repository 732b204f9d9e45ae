# tweet-lake: `make demo` and `make test` are all a newcomer needs (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JARS := jars/lib
CLASS_ARCHIVE := jars/driver.jsa
DEMO_DAYS ?= 7
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install lock demo check test typecheck bench bench-connect sql sql-server connect-server report dev lint clean-lake FORCE

install: $(VENV)/.installed $(JARS)/.fetched $(CLASS_ARCHIVE)

# Every package at the version requirements.lock pins (transitive ones included), then this
# project on top without resolving anything again: two installs a month apart are identical.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip==26.3'
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Delta Lake's JARs (jars/pom.xml), fetched from Maven Central with the machine's own Maven
# (Java 17 and mvn); every Spark session names them with spark.jars, so runs work offline after.
$(JARS)/.fetched: jars/pom.xml
	rm -rf $(JARS)
	mvn -q -B -f jars/pom.xml dependency:copy-dependencies -DexcludeTransitive=true \
	  -DoutputDirectory=$(CURDIR)/$(JARS)
	touch $@

# The driver JVM's class archive (tweet_assets/cli/class_archive.py), made by one run of the
# graph on the offline corpus (~1.5 min): every run's driver maps Spark's and Delta's classes
# from it instead of loading them one by one.
$(CLASS_ARCHIVE): $(VENV)/.installed $(JARS)/.fetched
	$(BIN)/python -m tweet_assets.cli.class_archive

# Re-resolve pyproject.toml's dependencies (with the test extra) in a fresh virtualenv and pin
# every installed package in requirements.lock; commit the result.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade 'pip==26.3'
	.lock-venv/bin/pip install --quiet -e '.[test]'
	{ echo "# Every package make install puts in .venv, pinned: written by make lock from pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude-editable --all | grep -v '^pip=='; } > requirements.lock
	rm -rf .lock-venv

# Written once; an instance from before freshness, run retries or the per-day run limit gains
# them, keeping the rest.
$(DAGSTER_HOME)/dagster.yaml: FORCE
	@mkdir -p $(DAGSTER_HOME)
	@test -f $@ || printf 'telemetry:\n  enabled: false\n' > $@
	@test -z "$$(tail -c1 $@)" || echo >> $@
	@grep -q '^freshness:' $@ || printf 'freshness:\n  enabled: true\n' >> $@
	@grep -q '^run_retries:' $@ || printf '# the daemon retries runs tagged dagster/max_retries (the schedule'"'"'s), no others\nrun_retries:\n  enabled: true\n  max_retries: 0\n' >> $@
	@grep -q '^concurrency:' $@ || printf '# the run queue starts one run of a day at a time (README: two runs of one day)\nconcurrency:\n  runs:\n    tag_concurrency_limits:\n      - key: dagster/partition\n        value:\n          applyLimitPerUniqueValue: true\n        limit: 1\n' >> $@

FORCE:

# The last $(DEMO_DAYS) complete UTC days, on the offline corpus, as one run; then the gold table,
# in one process and one Spark session (tweet_assets/cli/demo.py).
demo: install $(DAGSTER_HOME)/dagster.yaml
	@env -u TWITTER_BEARER_TOKEN $(BIN)/tweet-lake demo --days $(DEMO_DAYS)

# After every edit (DEVELOPING.md): ruff, the format check, mypy and the unit tier, which starts
# no JVM; about a minute, with or without Java (and Maven) on the machine.
check: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q tweet_assets_tests/unit

# Every tier (DEVELOPING.md): what .ci/run runs.
test: install typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

typecheck: install
	$(BIN)/mypy

# Every scale target (bench/run.py) on the offline corpus, then the executors on Spark Connect
# (bench/connect.py); writes bench/RESULTS.md (~40 min).
bench: install $(VENV)/.bench-installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/connect.py

# Only the Spark Connect section of bench/RESULTS.md (~5 min).
bench-connect: install $(VENV)/.bench-installed
	$(BIN)/python bench/connect.py

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

# make sql Q="select * from gold.daily_counts order by date"; without Q, a prompt.
sql: install
	$(BIN)/tweet-lake sql $${Q:+"$$Q"}

# The lake's tables over JDBC (HiveServer2) on 127.0.0.1:$(PORT), read-only; Ctrl-C stops it.
PORT ?= 10000
sql-server: install
	$(BIN)/tweet-lake sql-server --port $(PORT)

# A Spark Connect server with Delta Lake on 127.0.0.1:$(PORT) (15002) for SPARK_REMOTE; Ctrl-C
# stops it (tweet_assets/spark/connect_server.py).
connect-server: PORT = 15002
connect-server: install
	SPARK_NO_DAEMONIZE=1 $(BIN)/python -m tweet_assets.spark.connect_server --port $(PORT)

# gold's tweets, authors and likes per day as HTML charts in datalake/reports/.
report: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/tweet-lake report

# Dagit and the daemon on http://127.0.0.1:3000; `make dev SCHEDULE=running` starts the schedule.
dev: install $(DAGSTER_HOME)/dagster.yaml
	$(if $(SCHEDULE),TWEETS_SCHEDULE=$(SCHEDULE)) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

clean-lake:
	find datalake -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
