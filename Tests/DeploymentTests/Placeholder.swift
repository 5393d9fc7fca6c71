// Placeholder: tests for Deployment are being written.
