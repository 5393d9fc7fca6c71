// Placeholder: the ExchangeStreams target is being built.
