# CHORUS Platform — the front door. Each target delegates to Nx, to the env CLI (deploy/env-cli, which
# runs `docker compose --env-file <one file> -f <one file>`), to the verification suites (deploy/verify),
# or to a script in infrastructure/.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export NX_DAEMON ?= false
export NX_NO_CLOUD := true

NX := npx nx
ENV := node deploy/env-cli/dist/env.cjs
VERIFY := node deploy/verify/dist/verify.cjs
# Exports the third-party image references the env CLI resolved (present, pulled or built offline).
RESOLVED_IMAGES = refs=$$($(ENV) images --env test --print) && eval "$$(grep -E '^[A-Z_]+_IMAGE=' <<<"$$refs" | sed 's/^/export /')"

.PHONY: help install format format-check setup test-images images env-cli verify build unit smoke test-env acceptance test \
        pull-check tls-check parity image-tests platform-check upgrade-check release-check restore-drill disaster-drill alert-check chaos chaos-scale k8s-check bench bench-dev run-prod run-dev rollback-prod ca-prod idle-cost alerts-prod alerts-dev backup-prod backups-prod secrets-export-prod secrets-import-prod restore-prod users-prod user-add-prod user-remove-prod tokens-prod token-add-prod token-remove-prod reset-admin-prod stop-prod stop-dev logs-prod logs-dev status rebuild-read-model-prod rebuild-read-model-dev clean-prod clean-dev clean-test

help: ## List the targets, by purpose
	@awk 'BEGIN {FS = ":.*## "} /^##@ / {printf "\n%s\n", substr($$0, 5)} /^[a-z0-9-]+:.*## / {printf "  make %-24s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

##@ Environments

run-prod: setup env-cli ## Deploy this checkout's release to prod (UI on https://localhost:5001; make ca-prod to trust it); idempotent
	@$(ENV) up prod

run-dev: setup env-cli ## Start dev (UI on http://localhost:5002, live reload); idempotent
	@$(ENV) up dev

stop-prod: env-cli ## Stop prod, keeping its data
	@$(ENV) down prod

stop-dev: env-cli ## Stop dev, keeping its data
	@$(ENV) down dev

logs-prod: env-cli ## Follow prod's logs
	@$(ENV) logs prod

logs-dev: env-cli ## Follow dev's logs
	@$(ENV) logs dev

status: env-cli ## Every environment and test run: services, health, ports, connector state
	@$(ENV) status

clean-prod: env-cli ## Stop prod and delete its volumes (asks first)
	@$(ENV) clean prod

clean-dev: env-cli ## Stop dev and delete its volumes (asks first)
	@$(ENV) clean dev

##@ Operating prod

rollback-prod: setup env-cli ## Return prod to the release it ran before (its images and Compose file as deployed), keeping its data
	@$(ENV) rollback prod

idle-cost: env-cli ## What the running environments cost with nobody using them: CPU (share of one core) and memory, over IDLE_SECONDS=60
	@$(ENV) idle-cost --seconds $(or $(IDLE_SECONDS),60)

alerts-prod: env-cli ## What prod's Alertmanager holds now (firing, or held back by their cause), and who alerts reach
	@$(ENV) alerts prod

alerts-dev: env-cli ## The same for dev
	@$(ENV) alerts dev

backup-prod: env-cli ## Back up prod now, while it serves (prod also backs up on a schedule: BACKUP_EVERY, BACKUP_KEEP in .env.prod)
	@$(ENV) backup prod

ca-prod: env-cli ## Write prod's CA certificate beside .env.prod; print its fingerprint and how to trust it
	@$(ENV) ca prod

backups-prod: env-cli ## Show prod's archive (repositories, base backups, restorable window) and exports, and whether one is overdue
	@$(ENV) backups prod

secrets-export-prod: env-cli ## Seal .env.prod and prod's CA into FILE=<path> with SECRETS_PASSPHRASE, to keep off the host
	@$(ENV) secrets-export prod "$(FILE)"

secrets-import-prod: setup env-cli ## On a new host: put .env.prod and the CA from FILE=<path> in place (SECRETS_PASSPHRASE), before restore-prod AT=
	@$(ENV) secrets-import prod "$(FILE)"

restore-prod: setup env-cli ## Restore prod to AT=<time> (the archive) or BACKUP=<name> (an export): writes paused, CDC reset, read model rebuilt
	@$(ENV) restore prod "$(BACKUP)" --at "$(AT)"

rebuild-read-model-prod: env-cli ## Rebuild prod's read model from Postgres (replay + incremental snapshot); streaming goes on
	@$(ENV) rebuild-read-model prod

rebuild-read-model-dev: env-cli ## Rebuild dev's read model from Postgres (replay + incremental snapshot); streaming goes on
	@$(ENV) rebuild-read-model dev

##@ Accounts

users-prod: env-cli ## List prod's accounts
	@$(ENV) users prod

user-add-prod: env-cli ## Add a prod account: NAME=<name> ROLE=viewer|operator (its password is printed once)
	@$(ENV) user-add prod "$(NAME)" "$(ROLE)"

user-remove-prod: env-cli ## Remove a prod account (NAME=<name>) and end its sessions
	@$(ENV) user-remove prod "$(NAME)"

tokens-prod: env-cli ## List prod's API tokens
	@$(ENV) tokens prod

token-add-prod: env-cli ## Make a prod API token: NAME=<name> ROLE=viewer|operator (printed once, stored hashed)
	@$(ENV) token-add prod "$(NAME)" "$(ROLE)"

token-remove-prod: env-cli ## Revoke a prod API token (NAME=<name>)
	@$(ENV) token-remove prod "$(NAME)"

reset-admin-prod: env-cli ## Give prod's admin a new password, written into deploy/compose/.env.prod (never printed)
	@$(ENV) reset-admin prod

##@ Checks

test: ## Host tests, then a hermetic test run; never touches prod or dev
	@MAKE="$(MAKE)" node tools/make-test.mjs

unit: install format-check test-images ## Every project's build, typecheck, lint, unit and integration tests on the host, Redis and the browser in containers (Nx, cached; NX_SKIP_NX_CACHE=true runs them all)
	@[ -z "$${NX_SKIP_NX_CACHE:-}" ] || echo "host tests: the Nx cache is skipped (NX_SKIP_NX_CACHE=$$NX_SKIP_NX_CACHE): every project's tests run"
	@rm -f $(wildcard */*/reports/vitest.json */*/reports/integration.json)
	@$(RESOLVED_IMAGES) && $(NX) run-many -t build typecheck lint test integration --exclude env
	@node tools/test-summary.mjs

test-env: setup env-cli ## A test run in its own Compose project with the end-to-end journey; always torn down
	@$(ENV) test

clean-test: env-cli ## Remove test runs left behind by a killed make test (live runs are left alone)
	@$(ENV) clean-test

smoke: install setup ## Smoke-test the container substrate: Postgres -> Debezium -> Kafka
	$(NX) run verify:smoke --output-style=static

acceptance: setup env-cli test-images ## AC-1..AC-7 as an operator checks them: prod and dev, browsers, make test beside them
	$(NX) run verify:acceptance --output-style=static

pull-check: setup env-cli verify ## The pull path against a registry on 127.0.0.1: a test run pulls every image, builds none, passes its journey
	@$(VERIFY) pull-check

tls-check: setup env-cli verify ## prod's proxy gets a certificate from an ACME CA (Pebble, built from the Go module proxy) and serves its own files, over HTTPS
	@$(VERIFY) tls-check

parity: setup env-cli verify ## The look-alikes' Kafka and Connect configuration equals upstream's rules, for every Compose file (builds the look-alikes)
	@CHORUS_IMAGES=local $(ENV) images >/dev/null
	@$(VERIFY) parity

image-tests: setup env-cli ## docker-library's own image tests (official-images test/run.sh) on the Postgres, Node, Valkey and Caddy look-alikes (builds them)
	@CHORUS_IMAGES=local $(ENV) images >/dev/null
	@bash infrastructure/images/official-tests.sh

platform-check: setup verify ## dev from a workspace installed for macOS arm64 (npm ci --os=darwin --cpu=arm64): healthy, live reload works (needs dev absent)
	@$(VERIFY) platform-check

release-check: setup verify ## Releases of a prod-like project of its own under probes and a writer through HTTPS: the apps replaced with no failed request, a stop counted (~4 min)
	@$(VERIFY) release-check

upgrade-check: setup verify ## prod upgraded in place from each release in deploy/compose/upgrade-from.txt (FROM=<commit> for one; ROLLBACK=1 also rolls back to the newest), in projects of their own (~4 min a release)
	@$(VERIFY) upgrade-check $(if $(FROM),--from $(FROM)) $(if $(ROLLBACK),--rollback)

alert-check: setup verify ## An alert reaches a mail server and a webhook, firing and resolved, with its consequence held back (~5 min)
	@$(VERIFY) alert-check

disaster-drill: setup verify ## The host lost: prod rebuilt at a moment before a mistake from its object store and exported secrets; refusals; RPO (~5 min)
	@$(VERIFY) disaster-drill

restore-drill: setup verify ## A backup restored into a prod-like project of its own: refusals, then the read model against the restored database (~4 min)
	@$(VERIFY) restore-drill

chaos: setup verify ## Kill and restart each service under a steady writer, in a project of its own; the read model must recover; an alert must fire (~7 min)
	@$(VERIFY) chaos

chaos-scale: setup verify ## The scale profile (3 brokers, 2 Connect workers, 2 processor replicas) with a replica, the task's Connect worker and a partition leader killed (~6 min)
	@$(VERIFY) chaos --scale

k8s-check: setup verify ## The Helm chart on a two-node Kubernetes cluster of its own (Kubernetes built from source once, ~15 min; then ~5 min): install, journey, a node killed during writes, the operators mode dry-run against its CRDs; always torn down. Needs Go, Maven and a JDK
	@$(VERIFY) k8s-check

bench: setup verify ## CDC latency to the read model: batched, single-row and API writes, the first minute, tuned/fsync on/baseline, own projects (~12 min)
	@$(VERIFY) bench

bench-dev: verify ## Single-row CDC latency (500/1,000/2,000 tx/s) against the running dev: WRITES INTO DEV, then deletes its rows (~1 min)
	@$(VERIFY) bench-dev

##@ Development

install: node_modules/.package-lock.json ## Install the workspace's npm dependencies (npm ci)

setup: ## Provision Docker: the engine and the Compose v2 plugin (idempotent)
	@bash infrastructure/docker/engine.sh
	@bash infrastructure/docker/compose-plugin/install.sh

build: install ## Build every app (Nx, cached)
	$(NX) run-many -t build

format: install ## Format every file as Prettier does (npx nx format:write); make test checks it
	@$(NX) format:write --all

images: setup env-cli ## Third-party images: present, else pulled, else built offline (CHORUS_IMAGES=auto|pull|local)
	@$(ENV) images

test-images: setup env-cli ## The images the host tests run: the environments' (present, pulled or built offline) and a browser on the Node image
	@$(RESOLVED_IMAGES) && bash infrastructure/browser/build.sh

# Internal steps of the targets above.

node_modules/.package-lock.json: package.json package-lock.json $(wildcard apps/*/package.json libs/*/package.json)
	npm ci --no-audit --no-fund

env-cli: install
	@$(NX) run env-cli:build --output-style=static >/dev/null

verify: env-cli
	@$(NX) run verify:build --output-style=static >/dev/null

format-check: install
	@files=$$($(NX) format:check --all 2>&1) || { echo "$$files" >&2; echo "format: the files above are not formatted as Prettier would: run make format" >&2; exit 1; }
