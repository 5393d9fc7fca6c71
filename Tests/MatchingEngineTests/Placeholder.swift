// Placeholder: tests for MatchingEngine are being written.
