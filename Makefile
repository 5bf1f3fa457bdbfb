# mcpauth — the two commands are `make run` and `make test`.
#
#   make run     install what is missing, build Release, start mcpauth-server on 127.0.0.1:8080
#   make test    install what is missing, build, check formatting, run every test, then the unit
#                and integration tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#   make build   build Release into build/ (binaries in build/bin/)
#   make bench   micro-benchmarks; /healthz against nginx and MCP tools/call against the
#                TypeScript SDK, the refresh grant against oidc-provider, under wrk on this
#                machine (see bench/)
#   make fmt     format the tree with clang-format
#   make fuzz    build the libFuzzer targets with clang in build-fuzz/ and run each for
#                FUZZ_SECONDS (default 60); FUZZ_TARGETS="form jwt" runs only those

SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= ./var
SOURCES = $(shell find include src test bench fuzz -name '*.cpp' -o -name '*.hpp' 2>/dev/null)

.PHONY: run test build bench fmt fmt-check deps deps-test deps-bench configure unit-asan fuzz clean

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

# libFuzzer targets (docs/fuzzing.md): every library and fuzz/<target>_fuzz.cpp built by clang with
# -fsanitize=fuzzer,address,undefined in its own tree, then each target run for FUZZ_SECONDS
# from its committed corpus. Crash inputs land in $(FUZZ_BUILD)/fuzz-artifacts/<target>/.
fuzz: deps-test
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMCPAUTH_FUZZ=ON -DMCPAUTH_TESTS=OFF -DMCPAUTH_APPS=OFF -DMCPAUTH_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

bench: deps-bench build
	$(BUILD)/bin/mcpauth_bench --benchmark_min_time=0.5
	python3 bench/healthz.py $(BUILD)/bin/mcpauth-server --json $(BUILD)/bench-healthz.json
	python3 bench/mcp_call.py $(BUILD)/bin/mcpauth-server --json $(BUILD)/bench-mcp-call.json
	python3 bench/token_refresh.py $(BUILD)/bin/mcpauth-server --json $(BUILD)/bench-token-refresh.json

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
