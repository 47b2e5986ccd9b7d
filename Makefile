# Two commands for a fresh machine (Python 3.11 with venv):
#   make demo   set up .venv and run the main job on the demo data (report + Quarto project)
#   make test   set up .venv and run the test suite
# For analysts:
#   make lab    JupyterLab on notebooks/ with a kernel that has sdrapport installed
#   make hooks  install the git hooks of .pre-commit-config.yaml (nbstripout, ruff)
#   make lint   ruff over the code
# Versions are pinned by requirements.lock (as pip constraints), so figures are reproducible.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The suite over 2 workers (pytest-xdist); a test file stays on one worker, so its module fixtures
# (reports built once for the file) are built once. `make test PYTEST_ARGS=` runs in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: demo test setup lock clean lab hooks lint

$(BIN)/sdrapport: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,lab]'
	touch $@

setup: $(BIN)/sdrapport

demo: setup
	$(BIN)/sdrapport demo

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: setup
	$(BIN)/sdrapport lab

hooks: setup
	$(BIN)/pre-commit install

lint: setup
	$(BIN)/ruff check lib tests benchmarks

# Refresh the pins after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^sdrapport' > requirements.lock

clean:
	rm -rf reports/store reports/_site reports/20* reports/*.qmd index.qmd .quarto .sdrapport-render
