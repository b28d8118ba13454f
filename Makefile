# hbsim: `make run` runs a shipped scenario on the embedded simulator;
# `make test` runs every test. Nothing here needs more than Go.

GO      ?= go
BIN     := bin/hbsim
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The commit goes into every failure's replay block (pkg/buildinfo); the
# linker sets it because GOFLAGS=-buildvcs=false builds record none.
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
BUILDINFO := github.com/hbsim/hbsim/pkg/buildinfo
LDFLAGS := -X $(BUILDINFO).version=$(VERSION) -X $(BUILDINFO).commit=$(COMMIT)
SCENARIO ?= scenarios/single-crash.yaml

.PHONY: all build run test vet fmt bench fuzz clean chromium

all: build

# The build line is long (the linker's flags); it is shown short so that
# `make run` fits an 80-column terminal.
build:
	@echo "$(GO) build -o $(BIN) ./cmd/hbsim  ($(VERSION))"
	@$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/hbsim

run: build
	./$(BIN) run $(SCENARIO)

# vet and gofmt are part of the tests: a change that fails them is not done.
test: vet chromium
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

# The HTML report's browser test renders in Debian's headless Chromium.
# Installing it may fail (no root, no apt, offline): the "-" keeps the
# build going, and the test then skips saying why.
chromium:
	-@command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

fmt:
	gofmt -w $$(git ls-files '*.go')

# Speed and memory targets are checked here, not by timed tests.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...

# Every fuzz target in the repository, found by name (func FuzzX in a
# _test.go file), one after the other for FUZZTIME each; `make test`
# replays their seed corpora. FUZZTIME=10m make fuzz for a longer run;
# FUZZ=FuzzAccept runs only the targets matching that regexp.
FUZZTIME ?= 2m
FUZZ ?= .
fuzz:
	@set -e; for f in $$(grep -l '^func Fuzz' $$(git ls-files '*_test.go')); do \
	  for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f | grep -E '$(FUZZ)'); do \
	    echo "== $$t (./$$(dirname $$f), $(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f); \
	  done; \
	done

clean:
	rm -rf bin out
