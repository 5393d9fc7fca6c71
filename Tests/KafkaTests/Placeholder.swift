// Placeholder: tests for Kafka are being written.
