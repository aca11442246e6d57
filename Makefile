# Meridian build, test and run targets. `make test` is what CI runs (.ci/run).
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
CONFIG ?= release
SWIFT_FORMAT ?= swift-format
# What `make format` rewrites and `make lint` checks the formatting of (settings in .swift-format).
FORMAT_PATHS := Sources Tests Benchmarks Fuzz Package.swift
# The release build's flags, in every release build below (ARCHITECTURE.md, "Memory and CPU"): the Swift runtime
# linked in (one self-contained binary, with only the runtime code it uses), every function in its own section,
# linked by lld in the order of scripts/orderfile/meridiand.order (the functions a running meridiand executes,
# together at the front of .text: scripts/orderfile/orderfile.sh makes it) after the compiler's unnamed helpers
# (scripts/orderfile/helpers.ld) and the shared names that run (scripts/orderfile/shared.ld), relative relocations
# packed (DT_RELR: glibc 2.36 or later) and no symbol table exported; libgps (without its D-Bus part) and libstdc++
# linked in as well, from the archives scripts/link/static-libs.sh puts in STATIC_LINK (the link finds them through
# PKG_CONFIG_PATH, and libstdc++.so is remapped to the archive for the products without libgps), and the standard
# library's Swift code split into a section per function (STATIC_LINK/libswiftCore.a, remapped for the
# toolchain's). A plain `swift build -c release` builds without them: the same program, with several MB more
# resident and libgps28, D-Bus and libstdc++6 needed at run time.
STATIC_LINK := $(CURDIR)/.build/static-link
RELEASE_FLAGS := --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections -Xswiftc -use-ld=lld \
	-Xlinker --symbol-ordering-file=$(CURDIR)/scripts/orderfile/meridiand.order -Xlinker --no-warn-symbol-ordering \
	-Xlinker -T -Xlinker $(CURDIR)/scripts/orderfile/helpers.ld \
	-Xlinker -T -Xlinker $(CURDIR)/scripts/orderfile/shared.ld -Xlinker -z -Xlinker pack-relative-relocs \
	-Xlinker --no-export-dynamic \
	-Xlinker '--remap-inputs=*/swift_static/linux/libswiftCore.a=$(STATIC_LINK)/libswiftCore.a' \
	-Xlinker '--remap-inputs=*/libstdc++.so=$(STATIC_LINK)/libstdc++.a'
BUILD_FLAGS := $(if $(filter release,$(CONFIG)),$(RELEASE_FLAGS)) $(SWIFT_BUILD_FLAGS)
BUILD_ENV := $(if $(filter release,$(CONFIG)),PKG_CONFIG_PATH=$(STATIC_LINK)/pkgconfig)
# Every release build goes through this, so that none builds with other flags (which would rebuild every module).
RELEASE_BUILD = PKG_CONFIG_PATH=$(STATIC_LINK)/pkgconfig $(SWIFT) build -c release $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS)
# Extra `swift test` flags for the interop phase of `make test`: INTEROP_FLAGS=--no-parallel runs each of its two
# processes' tests one by one; INTEROP_GROUPS=1 runs one process (scripts/interop-test.sh).
INTEROP_FLAGS ?=

# Debian packages the project needs at build, test and run time.
DEBS := libgps-dev pkg-config python3-capstone gpsd gpsd-clients linuxptp tshark ethtool iproute2 socat python3 prometheus curl chromium chrony

.PHONY: all deps static-link build release-meridiand test check bench run install lint format clean fuzz zone-answers

all: build

## deps: install with apt-get whatever of $(DEBS) is missing (needs root). chrony is there for the tests, which run
## their own `chronyd -x` (it never steers the clock): when this installs it on a host run by systemd, its service,
## which would steer the host's clock, is stopped and disabled again (a chrony installed before is left alone).
deps:
	@missing=""; for p in $(DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "make deps: need root to install$$missing" >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && apt-get install -y -q --no-install-recommends $$missing || exit 1; \
		case " $$missing " in *" chrony "*) \
			if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then \
				echo "make deps: chrony is for the tests only: disabling chrony.service, which would steer this host's clock"; \
				systemctl disable --now chrony.service || true; \
			fi;; \
		esac; \
	else echo "make deps: all of $(DEBS) installed"; fi

## static-link: the archives the release builds link statically (scripts/link/static-libs.sh), in STATIC_LINK.
static-link:
	scripts/link/static-libs.sh $(STATIC_LINK) \
		$(addprefix $(CURDIR)/.build/release/,meridiand meridianctl meridian-sim meridian-bench)

## build: release build of every product.
build: static-link
	$(BUILD_ENV) $(SWIFT) build -c $(CONFIG) $(BUILD_FLAGS)

## release-meridiand: the release meridiand alone (what the interop tests, the bench and the lab run).
release-meridiand: static-link
	$(RELEASE_BUILD) --product meridiand

## test: lint, then every test (needs root for network namespaces). First the tests of the libraries, the
## daemon's pieces and the tools (in parallel, beside the release build of meridiand); then, alone, the tests that run in real time and read what a
## program printed: whole daemons on the in-memory test seam, and pmc and meridianctl against a management
## server in the test process (the parallel phase's fuzzers hold both cores for tens of seconds, so a server
## there answers late); then the interoperability tests, which run the release meridiand (MERIDIAND) against
## linuxptp in namespaces they create (with them the gpsd grandmaster's relock test, GPSDGrandmasterTests, whose
## bounds assume gpsd's pulses are not milliseconds late: beside the release build they were). Each phase ends with
## its slowest tests.
## The fuzzers run TEST_FUZZ_SECONDS each first (libFuzzer, scripts/fuzz.sh; their own build in .build/fuzz, debug: it
## builds in half release's time beside the release build): a regression in a parser that takes outside input is caught
## from the corpus kept there and the seeds.
TEST_FUZZ_SECONDS ?= 3
SEAM_TESTS := '^(MeridianDaemonTests\.(DaemonSeamTests|DaemonFailoverSeamTests|DaemonControlSeamTests|FaultResetSeamTests|ClockCheckSeamTests|SimulatorParityTests|RealtimeFollowerSeamTests|ConversionRemeasureSeamTests|JBODGrandmasterSeamTests)|ManagementIntegrationTests\.)'
test: deps lint static-link
	@echo "make test: debug build from $$(date -u +%T)"
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	@echo "make test: release build, fuzzing and unit tests from $$(date -u +%T)"
	@# The release build of meridiand (for the interop phase) uses about one core for three to four minutes: beside
	@# it run the fuzzing (its own build path, .build/fuzz) and then the parallel phase (the test bundle run
	@# directly: `swift test` would wait for the build folder's lock the release build holds). The release build's
	@# output is printed once both are done.
	mkdir -p .build/test-logs; \
	$(RELEASE_BUILD) --product meridiand > .build/test-logs/release-build.out 2>&1 & release=$$!; \
	SWIFT=$(SWIFT) FUZZ_CONFIG=debug scripts/fuzz.sh $(TEST_FUZZ_SECONDS); fuzzed=$$?; echo "make test: unit tests from $$(date -u +%T)"; \
	SWIFT_TEST_BINARY=$$($(SWIFT) build --show-bin-path $(SWIFT_BUILD_FLAGS))/MeridianPackageTests.xctest \
		scripts/swift-test.sh .build/test-logs/unit.log --skip '^InteropTests\.' --skip $(SEAM_TESTS) \
		--skip '^GNSSReferenceTests\.GPSDGrandmasterTests'; unit=$$?; \
	echo "make test: unit tests done at $$(date -u +%T), waiting for the release build"; \
	wait $$release; built=$$?; tail -n 20 .build/test-logs/release-build.out; \
	echo "make test: release build done at $$(date -u +%T)"; \
	[ $$built -eq 0 ] && [ $$fuzzed -eq 0 ] && [ $$unit -eq 0 ]
	@echo "make test: seam tests from $$(date -u +%T)"
	SWIFT=$(SWIFT) scripts/swift-test.sh .build/test-logs/seam.log --skip-build --filter $(SEAM_TESTS) $(SWIFT_BUILD_FLAGS)
	@echo "make test: interop tests from $$(date -u +%T)"
	MERIDIAND=$$($(SWIFT) build -c release --show-bin-path $(SWIFT_BUILD_FLAGS))/meridiand SWIFT=$(SWIFT) \
		TESTS=$$($(SWIFT) build --show-bin-path $(SWIFT_BUILD_FLAGS))/MeridianPackageTests.xctest \
		scripts/interop-test.sh .build/test-logs $(INTEROP_FLAGS)
	@echo "make test: done at $$(date -u +%T)"

## fuzz: coverage-guided fuzzing with libFuzzer (-sanitize=fuzzer,address) of every parser that takes outside input
## (wire codec, management dispatcher, configuration, gpsd reports, leapfile, engine), FUZZ_SECONDS each; prints the
## executions per target; a crash fails it and leaves its input in .build/fuzz/crashes/ (scripts/fuzz.sh).
FUZZ_SECONDS ?= 120
fuzz: deps
	SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_SECONDS)

## check: the pure targets' tests (no root, no network, no daemons): the edit-test loop, under 2 minutes.
CHECK_TARGETS := PTPCoreTests PTPWireTests PTPServoTests PTPEngineTests PTPManagementTests MeridianConfigTests PTPSimulationTests MeridianZoneTests
check:
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	SWIFT=$(SWIFT) scripts/swift-test.sh .build/test-logs/check.log --skip-build \
		--filter '^($(subst $(eval) ,|,$(CHECK_TARGETS)))\.' $(SWIFT_BUILD_FLAGS)

## bench: the benchmarks, release build; prints tables (the last: what scraping /metrics costs). The unicast part
## alternates Meridian and ptp4l UNICAST_ROUNDS times at each client count and compares the medians.
UNICAST_ROUNDS ?= 3
bench: deps static-link
	$(RELEASE_BUILD) --product meridian-bench
	$$($(SWIFT) build -c release --show-bin-path)/meridian-bench
	$(RELEASE_BUILD) --product meridiand
	python3 Benchmarks/interop/bench_interop.py $$($(SWIFT) build -c release --show-bin-path)/meridiand
	python3 Benchmarks/interop/bench_scrape.py $$($(SWIFT) build -c release --show-bin-path)/meridiand
	ROUNDS=$(UNICAST_ROUNDS) python3 Benchmarks/interop/bench_unicast.py $$($(SWIFT) build -c release --show-bin-path)/meridiand
	$(RELEASE_BUILD) --product meridian-sim
	@echo "zone simulator speed (issue 18; the speed, wall time and peak memory per clock on the last line of each):"
	$$($(SWIFT) build -c release --show-bin-path)/meridian-sim --zone deploy/zones/zone-1k.yaml >/dev/null
	$$($(SWIFT) build -c release --show-bin-path)/meridian-sim --zone deploy/zones/zone-10k.yaml >/dev/null

## zone-answers: docs/zone-answers.md from the committed zone files, through the release meridian-sim (a few minutes).
zone-answers: deps static-link
	$(RELEASE_BUILD) --product meridian-sim
	python3 scripts/zone-answers.py

## run: build, then the zone lab in network namespaces (deploy/lab/zone.sh: active and standby GMs, two BCs, four
## hosts, scripted faults) with a live table; ZONE_SECONDS ends it with a summary, Ctrl-C at any time.
run: deps static-link
	$(RELEASE_BUILD) --product meridiand
	MERIDIAND=$$($(SWIFT) build -c release --show-bin-path)/meridiand deploy/lab/zone.sh

## install: binaries to $(DESTDIR)$(PREFIX)/sbin and bin, example configs to $(DESTDIR)/etc/meridian, the systemd unit
## and the udev rule for PHC and PPS devices (README: "Installing it as a service").
install: build
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/meridian
	install -m 0755 $$($(SWIFT) build -c $(CONFIG) --show-bin-path)/meridiand $(DESTDIR)$(PREFIX)/sbin/meridiand
	install -m 0755 $$($(SWIFT) build -c $(CONFIG) --show-bin-path)/meridianctl $(DESTDIR)$(PREFIX)/bin/meridianctl
	install -m 0755 $$($(SWIFT) build -c $(CONFIG) --show-bin-path)/meridian-sim $(DESTDIR)$(PREFIX)/bin/meridian-sim
	install -d $(DESTDIR)/etc/meridian/examples $(DESTDIR)/lib/systemd/system
	install -m 0644 etc/*.conf $(DESTDIR)/etc/meridian/examples/
	install -m 0644 deploy/systemd/meridiand.service $(DESTDIR)/lib/systemd/system/meridiand.service
	install -d $(DESTDIR)/lib/udev/rules.d
	install -m 0644 deploy/udev/60-meridian.rules $(DESTDIR)/lib/udev/rules.d/60-meridian.rules

## lint: the import rules of DESIGN.md, from the import lines of every target (sources, tests, benchmarks) and
## the dependencies Package.swift declares; then the formatting, as `make format` would leave it.
lint:
	@python3 scripts/check-imports.py
	@$(SWIFT_FORMAT) lint --strict --recursive --parallel $(FORMAT_PATHS) \
		|| { echo "make lint: formatting differs from .swift-format's; 'make format' rewrites it" >&2; exit 1; }
	@echo "lint: $(FORMAT_PATHS) formatted as .swift-format says"

## format: swift-format over $(FORMAT_PATHS), in place (settings in .swift-format).
format:
	$(SWIFT_FORMAT) format --in-place --recursive --parallel $(FORMAT_PATHS)

clean:
	rm -rf .build
