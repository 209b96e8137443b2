"""Eval metrics, one module each: coverage, citations (ALCE), figures, pages, retrieval."""
