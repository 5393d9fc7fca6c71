// Placeholder: the Gateway target is being built.
