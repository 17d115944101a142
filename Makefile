# The README's two commands are `make demo` and `make test`.
GO ?= go

.PHONY: demo test build vet bench

demo: ## console chat as a sample focal point on the bundled sample region
	$(GO) run ./cmd/klabot demo

test: ## all tests, against the real local PostgreSQL and Redis
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

build:
	$(GO) build -o bin/klabot ./cmd/klabot

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
