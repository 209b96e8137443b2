"""Ingest stage: load files into blocks, chunk them, and record them in the store."""
