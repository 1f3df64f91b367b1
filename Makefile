# Everything works on a fresh clone: each target first runs `setup` (uv, the Python packages, the Kafka jars),
# which takes well under a second when nothing is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# `pip install --user` puts uv here; Debian's system Python needs PIP_BREAK_SYSTEM_PACKAGES (PEP 668).
export PATH := $(HOME)/.local/bin:$(PATH)
UV_RUN := uv run --frozen
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help setup browser up down status test lint bench-registry bench-e2e bench-api bench-failover bench-reporting chaos federation-up federation-down bench-campaigns bench-assistance bench-outreach bench-console demo bench-reporting-workers

help:
	@echo "make up       start the whole platform locally (Kafka, SecantusDB, 4 services x api+worker, console)"
	@echo "make down     stop what 'make up' started"
	@echo "make status   show what runs"
	@echo "make federation-up / federation-down  a city and the province side by side, joined by MirrorMaker 2"
	@echo "make test     run every test against real servers (PYTEST_ARGS=... to pass options)"
	@echo "make lint     ruff and mypy"
	@echo "make bench-api  POST /persons rate and latency, SQLite then PostgreSQL (BENCH_ARGS=--clients 32 ...)"
	@echo "make bench-reporting  events archived from Kafka per second, rebuild rate, province statistic p99"
	@echo "make bench-reporting-workers  one reporting worker against two on the same backlog (the ratio)"
	@echo "make bench-assistance  approvals/s on one fund and on many, a payroll of 100,000 (BENCH_ARGS=--postgres ...)"
	@echo "make bench-outreach  POST /contacts rate, overdue lists p50/p99 with 200,000 people (BENCH_ARGS=--people 20000)"
	@echo "make bench-console  every console page's p50/p95 with the demo county loaded (BENCH_ARGS=--running for make up)"
	@echo "make demo     load the demo county (鼓楼区) into a running 'make up' (once)"
	@echo "make setup    install uv, the Python packages and the Kafka jars (the others do this themselves)"

setup:
	@if ! command -v uv >/dev/null 2>&1; then \
		echo "installing uv (python3 -m pip install uv)"; \
		PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet uv \
			|| PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --user uv; \
	fi
	@uv sync --frozen --quiet
	@$(UV_RUN) python -m vet_devtools.stack jars >/dev/null

# The console's browser tests (pytest -m browser) drive Debian's chromium; Playwright's own download cannot work
# on these networks. Installed with apt-get as .ci/run does; without it those tests skip and say so.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! (fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"); then \
		SUDO=""; if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi; \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium and a Chinese font for the browser tests (apt-get)"; \
			($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
				--no-install-recommends chromium fonts-wqy-microhei >/dev/null) \
				|| echo "could not install chromium: the browser tests will skip"; \
		else echo "no apt-get: install chromium yourself, or the browser tests skip"; fi; \
	fi

up: setup
	@$(UV_RUN) vet up

down: setup
	@$(UV_RUN) vet down

status: setup
	@$(UV_RUN) vet status

federation-up: setup  ## a city (3501) and the province (35), each a whole platform, joined by MirrorMaker 2
	@$(UV_RUN) vet federation up

federation-down: setup
	@$(UV_RUN) vet federation down

test: setup browser
	$(UV_RUN) pytest $(PYTEST_ARGS)

lint: setup
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy libs/contracts/src libs/common/src libs/devtools/src services/*/src

bench-registry: setup  ## import rate into PostgreSQL and GET /persons latency (takes several minutes)
	$(UV_RUN) python bench/registry_bench.py

bench-outreach: setup  ## POST /contacts rate and the overdue lists' latency with 200,000 people (several minutes)
	$(UV_RUN) python bench/outreach_bench.py $(BENCH_ARGS)

bench-api: setup  ## POST /persons under 16 clients, whole registry on free ports, vs a plain SQLite endpoint
	$(UV_RUN) python bench/api_bench.py $(BENCH_ARGS)
	$(UV_RUN) python bench/api_bench.py --postgres --no-ceiling $(BENCH_ARGS)

bench-failover: setup  ## two registry workers, the leader killed with SIGKILL under load: takeover time, nothing lost
	$(UV_RUN) python bench/failover_bench.py $(BENCH_ARGS)
	$(UV_RUN) python bench/failover_bench.py --postgres $(BENCH_ARGS)

MINUTES ?= 10
chaos: setup  ## the platform under load while its parts are killed; checks nothing lost or doubled (MINUTES=10)
	$(UV_RUN) python bench/chaos.py --minutes $(MINUTES) $(BENCH_ARGS)

bench-campaigns: setup  ## launching a campaign that freezes 40,000 of 200,000 people (PostgreSQL, SecantusDB)
	$(UV_RUN) python bench/campaign_bench.py $(BENCH_ARGS)

bench-reporting: setup  ## Kafka -> archive rate, rebuild vs raw SecantusDB writes, province-wide statistic p99
	$(UV_RUN) python bench/reporting_bench.py $(BENCH_ARGS)

bench-reporting-workers: setup  ## one reporting worker against two on the same Kafka backlog: rates and their ratio
	$(UV_RUN) python bench/reporting_workers_bench.py $(BENCH_ARGS)

bench-e2e: setup  ## API call to reporting figure, against a running `make up`
	$(UV_RUN) python bench/e2e_delay.py

bench-assistance: setup  ## approvals per second under contention for one budget, and a payroll of 100,000 enrolments
	$(UV_RUN) python bench/assistance_bench.py $(BENCH_ARGS)

bench-console: setup  ## every console page's response time with the demo county loaded (own platform, several minutes)
	$(UV_RUN) python bench/console_bench.py $(BENCH_ARGS)

demo: setup  ## a county's worth of demo data through the APIs of a running `make up` (refuses a second time)
	@$(UV_RUN) vet demo
