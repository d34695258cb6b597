"""Tracing and the master file: record ttnn op calls from tests, merge configurations into a
master JSON (dedup by config_hash, executions merged), atomically and under a file lock."""
