# Shortcuts for the README's two commands.
.PHONY: serve test
serve:
	go run ./cmd/careatlas serve
test:
	bash .ci/test
