"""Layout files (TOML, checked before it is read), unique names, window placement."""
