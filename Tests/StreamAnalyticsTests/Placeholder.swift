// Placeholder: tests for StreamAnalytics are being written.
