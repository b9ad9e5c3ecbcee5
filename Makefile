# Waymark: make demo runs the server and the app together; make test runs
# every test. Both install the Debian packages they need when run as root.

GO      ?= go
export PATH := $(PATH):/usr/local/go/bin
BIN     := bin
ADDR    ?= 127.0.0.1:8765
# The fyne command (fyne.io/tools/cmd/fyne) make dist builds from source.
FYNE_TOOLS ?= v1.7.4

.PHONY: all build app server demo test deps clean faults bench bench-backends fuzz abuse

all: build

deps:
	@scripts/deps.sh

build: app server

app: deps
	$(GO) build -o $(BIN)/waymark .

server:
	$(GO) build -o $(BIN)/waymark-server ./cmd/waymark-server

# Starts the server on its embedded store on $(ADDR), opens the app
# connected to it, and stops the server when the app closes. Data stays in
# .demo/ between runs; delete it to start afresh.
demo: build
	@scripts/demo.sh "$(ADDR)"

# Everything, then the sweeps of every screen (screens tag: every screen
# fits a phone in each language, touch targets, nothing moves under the
# thumb) and the launch test of both app builds under Xvfb against a live
# and an unreachable server (launch tag), which take a minute or two;
# last, the Linux package and the server built and installed as make dist
# makes them, the app launched from its install (make dist-test, dist tag).
# The view models, the session and the store also run under the race
# detector (about 20 s): each has work on goroutines of its own.
test: deps
	$(GO) vet ./...
	$(GO) vet -tags screens ./app/
	$(GO) vet -tags launch ./internal/launch/
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./app/internal/model/ ./session/ ./store/
	$(GO) test -count=1 -tags screens -run '^TestScreens' ./app/
	$(GO) test -count=1 -tags launch ./internal/launch/
	$(GO) vet -tags dist ./internal/distinstall/
	@$(MAKE) --no-print-directory dist-test

# Fault harness (faults/): real device and server processes killed with
# SIGKILL mid-write and mid-push, the server restarted, connections cut,
# slowed and a device disk filled; an audit after every cycle. A short run
# is part of make test. Filling a disk needs root (it mounts a tmpfs).
FAULT_CYCLES ?= 200
faults: server
	$(GO) build -o $(BIN)/waymark-faults ./cmd/waymark-faults
	$(BIN)/waymark-faults --cycles $(FAULT_CYCLES) --server-bin $(BIN)/waymark-server

# A hostile client against the real server binary over TLS: every attack
# of issues 8 and 11, a table (attack, answer, server up, data unchanged),
# the canary count, the server's memory and disk; exits 1 on any failure.
# A short run (abuse.TestAbuseShort) is part of make test.
abuse: server
	$(GO) run ./cmd/waymark-abuse --server-bin $(BIN)/waymark-server

# One table of figures (saves, syncs, 200 devices, memory), with the
# ambitions beside them. It measures the real server and app binaries.
bench: build
	$(GO) run ./cmd/waymark-bench --server-bin $(BIN)/waymark-server --app-bin $(BIN)/waymark

# The backends part alone: one device pushing 10,000 encounters, then 200
# and 1,000 devices at once, on Badger, PostgreSQL and three replicas,
# side by side, with each server's and the device's CPU profile in
# $(BIN)/profiles and the top of each printed.
bench-backends: server
	rm -rf $(BIN)/profiles
	$(GO) run ./cmd/waymark-bench --server-bin $(BIN)/waymark-server --app-bin "" --only backends --profile $(BIN)/profiles

# Each fuzz target for FUZZTIME; go test fuzzes one target at a time.
FUZZTIME ?= 1m
FUZZ_TARGETS := ./sync/wire:FuzzDecodePushRequest ./sync/wire:FuzzDecodePullRequest \
	./sync/wire:FuzzDecodeContentRequest ./sync/wire:FuzzDecodeResponses ./sync/wire:FuzzDecodeEnrolRequest \
	./sync/auth:FuzzParse \
	./server:FuzzPush ./server:FuzzPull ./server:FuzzContent \
	./content:FuzzParseBundle ./vault:FuzzDecodeVault ./vault:FuzzDecodeLockout \
	./internal/strictjson:FuzzUnmarshal ./internal/strictjson:FuzzValid ./evidence:FuzzVerify \
	./encounter:FuzzFindIdentifiers
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "== $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

# Packages into dist/ (scripts/dist.sh): the officer app for Linux
# (fyne package: a tar.xz whose Makefile installs it) and for Windows
# (cross-compiled with MinGW), the server as a static Linux binary with
# its systemd unit and example configuration, and SHA256SUMS; then the
# install test of all three (internal/distinstall). The fyne command is
# built from the module proxy at FYNE_TOOLS.
DIST_PKGS := xz-utils xvfb xdotool imagemagick make systemd desktop-file-utils

.PHONY: dist dist-deps dist-test
dist-deps:
	@scripts/deps.sh gcc-mingw-w64-x86-64 $(DIST_PKGS)

dist: deps dist-deps
	FYNE_TOOLS=$(FYNE_TOOLS) scripts/dist.sh
	$(GO) test -count=1 -tags dist ./internal/distinstall/

# The part of make dist that make test runs (45 s to a minute on a warm build
# cache): the Linux package and the server, built into $(BIN)/dist-test,
# installed, and the app launched from its install under Xvfb; no MinGW.
dist-test: deps
	@scripts/deps.sh $(DIST_PKGS)
	DIST_OUT=$(BIN)/dist-test FYNE_TOOLS=$(FYNE_TOOLS) scripts/dist.sh linux server
	WAYMARK_DIST=$(abspath $(BIN)/dist-test) $(GO) test -count=1 -tags dist -run '^Test(LinuxPackage|ServerPackage|Drawn)$$' ./internal/distinstall/

clean:
	rm -rf $(BIN) dist
