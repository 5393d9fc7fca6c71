// Placeholder: the ExchangeRecords target is being built.
