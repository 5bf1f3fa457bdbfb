# mcpauth — the two commands are `make run` and `make test`.
#
#   make run     install what is missing, build Release, start mcpauth-server on 127.0.0.1:8080
#   make test    install what is missing, build, check formatting, run every test, then the unit
#                and integration tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#   make build   build Release into build/ (binaries in build/bin/)
#   make bench   Release build, micro-benchmarks, then bench/suite.py: every case against its
#                peer (nginx, the TypeScript SDK, oidc-provider) pinned and unpinned, start-up,
#                scale; tables, JSON and a chart in build/bench/ (see bench/README.md).
#                BENCH_REPS=3 BENCH_DUR=10 BENCH_WARMUP=3, BENCH_ARGS for more suite options
#   make soak    the server under a mixed load for SOAK_SECONDS (600), RSS every 10 s
#   make fmt     format the tree with clang-format

SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= ./var
SOURCES = $(shell find include src test bench fuzz -name '*.cpp' -o -name '*.hpp' 2>/dev/null)

BENCH_REPS ?= 3
BENCH_DUR ?= 10
BENCH_WARMUP ?= 3
BENCH_ARGS ?=
SOAK_SECONDS ?= 600

.PHONY: run test build bench soak fmt fmt-check deps deps-test deps-bench configure unit-asan clean

deps:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps test

deps-bench:
	@scripts/install-deps bench

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/mcpauth-server --listen $(LISTEN) --data-dir $(DATA_DIR)

fmt:
	clang-format -i $(SOURCES)

fmt-check:
	@clang-format --dry-run -Werror $(SOURCES) && echo "format: ok"

test: deps-test fmt-check configure
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure --timeout 300 -j 2
	$(MAKE) --no-print-directory unit-asan

# The unit and integration tests again under ASan + UBSan (a separate Debug build tree).
unit-asan:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMCPAUTH_SANITIZE=ON \
	  -DMCPAUTH_APPS=OFF -DMCPAUTH_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 300 -j 2

bench: deps-bench build
	$(BUILD)/bin/mcpauth_bench --benchmark_min_time=0.5
	python3 bench/suite.py $(BUILD)/bin/mcpauth-server --build $(BUILD) --reps $(BENCH_REPS) \
	  --dur $(BENCH_DUR) --warmup $(BENCH_WARMUP) $(BENCH_ARGS)
	python3 bench/cli_latency.py $(BUILD) --json $(BUILD)/bench/cli-latency.json

soak: deps-bench build
	python3 bench/soak.py $(BUILD)/bin/mcpauth-server --build $(BUILD) --seconds $(SOAK_SECONDS) \
	  --json $(BUILD)/bench/soak.json --png $(BUILD)/bench/soak.png

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
