# Two set-up commands (see README):
#   make demo   generate the sample dataset and run the main job on it (no server needed)
#   make test   lint, type-check, start the tests' own Neo4j, run every test, stop it
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit browser bench-neo4j neo4j-install neo4j-start neo4j-stop bench clean

# The tests' own Neo4j server: state in .neo4j-test, ports 17687/17474, its own password.
# The tests clear its database; the user's server (.neo4j, 7687/7474) is never touched.
TEST_NEO4J := $(BIN)/python tests/integration/neo4j_test_home.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	$(BIN)/python -c 'from linkage.detect.normalise import compile_kernels; compile_kernels()'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/linkage generate --out data/generated/sample --scale 0.2 --seed 7
	$(BIN)/linkage run --input data/generated/sample --out out/sample
	$(BIN)/linkage evaluate --labels data/generated/sample/labels.csv --out out/sample

lint: $(STAMP)
	$(BIN)/ruff check linkage tests bench notebooks
	$(BIN)/ruff format --check linkage tests bench notebooks
	$(BIN)/mypy linkage
	$(BIN)/lint-imports

# Fast (under a minute): tests/unit (hand-made frames and objects; no engine start, no
# server) and the docstring examples in linkage/, without the tests marked slow (the intent
# model's retraining and near-copy checks). Those, and the pipeline, quality and
# integration tests, run in `make test`.
unit: $(STAMP)
	$(BIN)/pytest -q -m "not slow" tests/unit linkage

neo4j-install: $(STAMP)
	$(BIN)/linkage neo4j install

neo4j-start: neo4j-install
	$(BIN)/linkage neo4j start

neo4j-stop: $(STAMP)
	$(BIN)/linkage neo4j stop

# Headless Chromium renders report.html in the browser test, tests/pipeline/test_report_browser.py
# (Debian's package; root on CI).
browser:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The whole suite (tests/unit, tests/pipeline, tests/quality, tests/integration and the
# docstring examples): the test Neo4j server is started for it and always stopped afterwards.
test: lint browser
	$(TEST_NEO4J) start
	$(BIN)/pytest -q; status=$$?; $(TEST_NEO4J) stop; exit $$status

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/evaluate_quality.py

# Loads over Bolt and with the bulk importer into a server of its own (.neo4j-bench).
bench-neo4j: $(STAMP)
	$(BIN)/python bench/bench_neo4j_load.py

clean:
	rm -rf $(VENV) out data/generated .neo4j .neo4j-test .neo4j-bench neo4j/target
