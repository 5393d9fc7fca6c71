// Placeholder: the StreamAnalytics target is being built.
