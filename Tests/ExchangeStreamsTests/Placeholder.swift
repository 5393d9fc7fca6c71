// Placeholder: tests for ExchangeStreams are being written.
