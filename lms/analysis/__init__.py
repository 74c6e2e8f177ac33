"""Item analysis: how each quiz question performs (DESIGN.md; docs/item-analysis.md)."""
