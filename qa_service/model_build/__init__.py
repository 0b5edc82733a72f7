"""Build-time tooling: models derived once from the packaged MiniLM (ONNX int8 export, the
build-once cache). Not an adapter: the embedder adapters call it on first use, or
`make models` runs it ahead of time (e.g. in an image build)."""
