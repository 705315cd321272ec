# The README's two commands are `make run` and `make test`; the rest are conveniences.
.PHONY: run test smoke bench load coldstart fuzz build check-scripts synth deploy fmt lint ci

run:            ## Serve the functions locally (cargo lambda watch, 127.0.0.1:9000, SQLite store)
	scripts/run.sh

test:           ## The whole suite: Rust tests against SQLite and a local moto DynamoDB, plus the CDK tests
	scripts/test.sh

smoke:          ## Start `make run` in the background and check the ingest endpoint end to end with curl
	scripts/smoke.sh

bench:          ## Every benchmark (CPU, templates, cold start, load, arm64 sizes), one report, written into the README
	scripts/bench.sh

# moto from the project's .venv unless MOTO_SERVER names another moto_server.
MOTO_SERVER ?= $(CURDIR)/.venv/bin/moto_server
load:           ## 2,000 webhooks (30 % repeats) through the ingest handler on SQLite and moto, a moto outage, SSE windows through one
	@[ -x "$(MOTO_SERVER)" ] || scripts/setup.sh
	MOTO_SERVER="$(MOTO_SERVER)" cargo run --release --locked -p load-bench -- $(LOAD_ARGS)

# coldstart runs the binary of the build that made the functions: `cargo run -p load-bench` alone would unify other
# features and rebuild load-bench's dependencies and coldstart apart from the functions it measures.
coldstart:      ## Cold start, warm latency and peak RSS of every function (moto; ingest also SQLite) vs a hello-world lambda_http binary (COLDSTART_ARGS: --rounds N, --json FILE)
	@[ -x "$(MOTO_SERVER)" ] || scripts/setup.sh
	cargo build --release --locked -p ingest -p geolocate -p respond -p forward -p sse-drain -p load-bench
	MOTO_SERVER="$(MOTO_SERVER)" "$${CARGO_TARGET_DIR:-target}/release/coldstart" $(COLDSTART_ARGS)

fuzz:           ## cargo-fuzz targets (webhook bodies, SSE parser, templates, locator scans), FUZZ_SECONDS (60) each
	fuzz/run.sh

build:          ## Lambda artifacts for arm64 of every function under functions/ (target/lambda/<function>/bootstrap)
	scripts/build.sh

check-scripts:  ## Checks of the scripts themselves (syntax, settings pass-through, readiness, process groups)
	scripts/check-scripts.sh

synth:          ## Synthesize the CloudFormation template (builds the functions)
	scripts/setup.sh --infra
	rustup target add aarch64-unknown-linux-gnu
	cd infra && PATH="$(CURDIR)/.venv/bin:$$PATH" npx cdk synth

deploy:         ## Deploy the stack to the AWS account of your current credentials
	scripts/setup.sh --infra
	rustup target add aarch64-unknown-linux-gnu
	cd infra && PATH="$(CURDIR)/.venv/bin:$$PATH" npx cdk deploy

fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

ci:             ## What CI runs
	.ci/run
