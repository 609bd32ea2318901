# CHORUS Platform — the front door. Each target delegates to Nx, to Compose, or to a script in
# infrastructure/. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export NX_DAEMON ?= false
export NX_NO_CLOUD := true

NX := npx nx

.PHONY: help install setup images build test unit smoke

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.package-lock.json: package.json package-lock.json $(wildcard apps/*/package.json libs/*/package.json)
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json ## Install the workspace's npm dependencies (npm ci)

setup: ## Provision this machine: test packages, Docker engine, Compose v2, local images
	@bash infrastructure/host/packages.sh
	@bash infrastructure/docker/engine.sh
	@bash infrastructure/docker/compose-plugin/install.sh
	@$(MAKE) --no-print-directory images

images: ## Build the third-party images locally (only those whose inputs changed)
	@bash infrastructure/images/build.sh

build: install ## Build every app (Nx, cached)
	$(NX) run-many -t build

unit: install ## Build, typecheck and test every project on the host, no Docker (Nx, cached)
	$(NX) run-many -t build typecheck test
	@node tools/test-summary.mjs

smoke: install ## Smoke-test the container substrate: Postgres -> Debezium -> Kafka
	$(NX) run substrate-smoke:smoke

test: setup unit smoke ## Everything: provision, then the host tests, then the substrate smoke test
