# Two set-up commands (see README):
#   make demo   generate the sample dataset and run the main job on it (no server needed)
#   make test   lint, type-check, start Neo4j, run every test, stop Neo4j
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit browser bench-neo4j neo4j-install neo4j-start neo4j-stop bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
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

unit: $(STAMP) browser
	$(BIN)/pytest -q -m "not neo4j"

neo4j-install: $(STAMP)
	$(BIN)/linkage neo4j install

neo4j-start: neo4j-install
	$(BIN)/linkage neo4j start

neo4j-stop: $(STAMP)
	$(BIN)/linkage neo4j stop

# Headless Chromium renders report.html in the browser test (Debian's package; root on CI).
browser:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The whole suite: Neo4j is started for the tests and always stopped afterwards.
test: lint neo4j-install browser
	$(BIN)/linkage neo4j start
	$(BIN)/pytest -q; status=$$?; $(BIN)/linkage neo4j stop; exit $$status

bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/evaluate_quality.py

bench-neo4j: neo4j-start
	$(BIN)/python bench/bench_neo4j_load.py

clean:
	rm -rf $(VENV) out data/generated .neo4j neo4j/target
