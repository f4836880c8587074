# The README's two commands. Each builds its own virtual environment from nothing but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The main job on the bundled models.
demo: $(VENV)/.installed
	bash scripts/ensure-system-deps.sh
	$(BIN)/reformsim $(shell [ -f sim/commands/assess.py ] && echo "assess --out out" || echo "run processes/company_setup_2018_baseline.bpmn --cases 500 --replications 5")
	@[ -f sim/commands/assess.py ] || $(BIN)/reformsim run processes/company_setup_2021.bpmn --cases 500 --replications 5

# The whole suite (also what CI runs).
test: $(VENV)/.installed-test
	bash scripts/ensure-system-deps.sh --chromium
	$(BIN)/ruff check sim tests benchmarks processes scripts
	REFORMSIM_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q -n 2

clean:
	rm -rf $(VENV) out .pytest_cache
