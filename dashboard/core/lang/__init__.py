"""What an operator types: the query language and durations."""
