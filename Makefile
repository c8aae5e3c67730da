# The two commands of the README: `make run` and `make test`. `make build` -> build/zonekeeper.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./data
DNS_LISTEN ?= 127.0.0.1:5353
API_LISTEN ?= 127.0.0.1:9353

.PHONY: deps build run test unit integration asan fuzz bench clean format

deps:
	@scripts/install-deps.sh test

$(BUILD)/build.ninja:
	@scripts/install-deps.sh build
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: deps build
	$(BUILD)/zonekeeper serve --data-dir $(DATA) --dns-listen $(DNS_LISTEN) --api-listen $(API_LISTEN)

# Every test: unit, fuzz-corpus replay, integration with real clients (dig, kdig, nsd, aws, boto3).
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# ASan+UBSan build of the whole suite (CI runs it too).
asan: deps
	@[ -f build-asan/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -G Ninja \
	  -DCMAKE_BUILD_TYPE=Debug -DZK_SANITIZE=ON -DZK_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) --timeout 900 -LE slow

# libFuzzer targets (clang): make fuzz, then e.g. build-fuzz/fuzz/dns_message_fuzz fuzz/corpus/dns_message
fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZK_FUZZ=ON -DZK_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)

bench: build

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
