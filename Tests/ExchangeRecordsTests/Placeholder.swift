// Placeholder: tests for ExchangeRecords are being written.
