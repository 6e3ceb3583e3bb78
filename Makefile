# KAM — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: demo serve test bench lint lock messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The installed lock is remembered in a stamp, so a changed lock reinstalls.
$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	@scripts/install-kam-command $(BIN)
	@touch $@

$(VENV)/.dev-installed: requirements/dev.lock $(VENV)/.base-installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	@touch $@

demo: $(VENV)/.base-installed
	$(BIN)/kam migrate --no-input -v 0
	$(BIN)/kam demo --if-empty
	$(BIN)/kam optimize_db -v 0
	@echo ""
	@echo "KAM 已启动 / KAM is running: http://$(HOST):$(PORT)/"
	@echo "登录 / Logins (password 密码: demo): admin, director, manager1..manager3, rep1..rep12, presales1, service1, finance1"
	$(BIN)/kam serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.base-installed
	$(BIN)/kam migrate --no-input -v 0
	$(BIN)/kam serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed
	@scripts/run-tests

bench: $(VENV)/.dev-installed
	$(BIN)/python -m kam.bench $(BENCH_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check kam
	$(BIN)/ruff format --check kam
	$(BIN)/mypy kam

# Re-pin dependencies after editing requirements/*.in (needs pip-tools in the venv).
lock: $(VENV)/.dev-installed
	$(BIN)/python -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --strip-extras -o base.lock base.in
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --no-emit-index-url \
		--no-emit-find-links --strip-extras -o dev.lock dev.in

# Refresh the translation catalogues (needs GNU gettext); the compiled .mo files are committed.
messages: $(VENV)/.dev-installed
	cd kam && ../$(BIN)/kam makemessages -l zh_Hans -l en --no-obsolete --add-location file
	scripts/fill-translations

clean:
	rm -rf $(VENV) var staticfiles
