// Placeholder: the Kafka target is being built.
