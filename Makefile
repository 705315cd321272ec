# The README's two commands are `make run` and `make test`; the rest are conveniences.
.PHONY: run test smoke bench build check-scripts synth deploy fmt lint ci

run:            ## Serve the functions locally (cargo lambda watch, 127.0.0.1:9000, SQLite store)
	scripts/run.sh

test:           ## The whole suite: Rust tests against SQLite and a local moto DynamoDB, plus the CDK tests
	scripts/test.sh

smoke:          ## Start `make run` in the background and check the ingest endpoint end to end with curl
	scripts/smoke.sh

bench:          ## Criterion benchmarks (release profile)
	cargo bench -p ingest --bench ingest_path
	cargo bench -p particle-template --bench render
	cargo bench -p particle-template --bench ratio
	cargo bench -p sse-drain --bench parser
	cargo bench -p particle-geo --bench scan

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
