# Waymark: make demo runs the server and the app together; make test runs
# every test. Both install the Debian packages they need when run as root.

GO      ?= go
export PATH := $(PATH):/usr/local/go/bin
BIN     := bin
ADDR    ?= 127.0.0.1:8765

.PHONY: all build app server demo test deps clean

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

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 ./...

clean:
	rm -rf $(BIN)
