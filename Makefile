# esxi-hva: `make test` is the project's test command (README, .ci/run).
GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -race -timeout 40m

.PHONY: test testenv fmtcheck vet unit bench fuzz simulate

test: testenv fmtcheck vet unit

testenv:
	@scripts/testenv.sh

fmtcheck:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test $(TESTFLAGS) $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

simulate:
	$(GO) run ./examples/esxi-hva --simulate
