// Replaced by the resolver's tests.
