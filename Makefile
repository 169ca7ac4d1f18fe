# The two README commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run chat test quick lint bench fuzz catalog check clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/umkm-bot run

chat: $(BIN)/.installed
	$(BIN)/umkm-bot chat

# The staff web page's browser tests need Debian's Chromium; without it they are skipped.
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)

test: $(BIN)/.installed
	@test -x $(CHROMIUM) || echo "No Chromium here: the browser tests are skipped (apt-get install -y chromium)."
	$(BIN)/python -m pytest

# Everything but the slow tests (crash, fuzz, load, subprocesses): for the edit-test loop.
quick: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow"

lint: $(BIN)/.installed
	$(BIN)/ruff check .

bench: $(BIN)/.installed
	$(BIN)/python -m bench

fuzz: $(BIN)/.installed
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest tests/processes/test_fuzz.py -q -s

catalog: $(BIN)/.installed
	$(BIN)/python -m bot.catalog update

check: $(BIN)/.installed
	$(BIN)/umkm-bot check

clean:
	rm -rf $(VENV) .pytest_cache
