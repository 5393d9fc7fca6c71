// Placeholder: tests for Gateway are being written.
