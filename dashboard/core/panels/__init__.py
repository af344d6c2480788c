"""The pure half of the panels: cards, charts, the log's rows, the field catalog,
the detail pane's JSON, colours, and the tick's turns."""
