# CHORUS Platform — the front door. Each target delegates to Nx or to Compose; `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export NX_DAEMON ?= false
export NX_NO_CLOUD := true

NX := npx nx

.PHONY: help install build test bench

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.package-lock.json: package.json package-lock.json $(wildcard apps/*/package.json libs/*/package.json)
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json ## Install the workspace's npm dependencies (npm ci)

build: install ## Build every app (Nx, cached)
	$(NX) run-many -t build

test: install ## Build, typecheck and test every project (Nx, cached)
	$(NX) run-many -t build typecheck test
	@node tools/test-summary.mjs
