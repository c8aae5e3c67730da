# The two commands of the README: `make run` and `make test`. `make build` -> build/zonekeeper.
BUILD ?= build
JOBS ?= $(shell nproc)
# ccache when the machine has it (scripts/install-deps.sh installs it): rebuilds and CI reuse objects.
LAUNCHER := $(if $(shell command -v ccache 2>/dev/null),-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)
DATA ?= ./data
DNS_LISTEN ?= 127.0.0.1:5353
API_LISTEN ?= 127.0.0.1:9353

.PHONY: deps build run test unit integration asan tsan fuzz bench clean format format-check

deps:
	@scripts/install-deps.sh test

$(BUILD)/build.ninja:
	@scripts/install-deps.sh build
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	$(BUILD)/zonekeeper serve --data-dir $(DATA) --dns-listen $(DNS_LISTEN) --api-listen $(API_LISTEN)

# Every test: unit, fuzz-corpus replay, integration with real clients (dig, kdig, nsd, aws, boto3).
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# ASan+UBSan (clang) build of the modules that parse untrusted bytes or run concurrently, running
# their unit tests and fuzz-corpus replays. CI runs it after `make test`.
ASAN_UNITS = unit_base unit_crypto unit_dns unit_zone unit_authdns unit_aws unit_api unit_authz unit_jose unit_http \
  unit_storage_sqlite unit_services_route53 unit_services_iam unit_services_sts unit_services_imds unit_app
ASAN_REPLAYS = $(patsubst fuzz/%_fuzz.cc,replay_%,$(wildcard fuzz/*_fuzz.cc))
asan: deps
	@[ -f build-asan/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -G Ninja \
	  -DCMAKE_BUILD_TYPE=Debug -DZK_SANITIZE=ON -DZK_BENCH=OFF $(LAUNCHER)
	cmake --build build-asan -j $(JOBS) --target $(ASAN_UNITS) $(ASAN_REPLAYS)
	@set -e; for t in $(ASAN_UNITS); do echo "== $$t (asan)"; build-asan/test/$$t --gtest_brief=1; done
	@set -e; for r in $(ASAN_REPLAYS); do n=$${r#replay_}; build-asan/test/fuzz_replay/$$r fuzz/corpus/$$n; done

# ThreadSanitizer (clang) build of the tests that run threads against each other: the HTTP server and
# client, the group-committing store and the JWKS cache. CI runs it after `make asan`.
TSAN_UNITS = unit_http unit_storage_sqlite unit_jose
tsan: deps
	@[ -f build-tsan/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B build-tsan -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZK_TSAN=ON -DZK_BENCH=OFF $(LAUNCHER)
	cmake --build build-tsan -j $(JOBS) --target $(TSAN_UNITS)
	@set -e; for t in $(TSAN_UNITS); do echo "== $$t (tsan)"; TSAN_OPTIONS=halt_on_error=1 build-tsan/test/$$t --gtest_brief=1; done

# libFuzzer targets (clang): make fuzz, then e.g. build-fuzz/fuzz/dns_message_fuzz fuzz/corpus/dns_message
fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZK_FUZZ=ON -DZK_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)

bench: build

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

# The tree follows .clang-format (CI fails otherwise; `make format` fixes it).
format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
