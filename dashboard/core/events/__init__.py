"""The event model and what reads one out of a frame: decoding, field paths,
repeats, one-line summaries."""
