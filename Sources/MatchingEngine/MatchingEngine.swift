// Placeholder: the MatchingEngine target is being built.
