# esxi-hva: `make test` is the project's test command (README, .ci/run).
GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -race -timeout 40m
FUZZTIME ?= 30s

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

# Every fuzz target of every package, FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

simulate:
	$(GO) run ./examples/simulate
