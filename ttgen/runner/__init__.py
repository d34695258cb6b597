"""The lean runner: generated sweep modules run in persistent, isolated worker processes.

The parent (`scheduler`) discovers cases statically (`discover`), hands case ids to workers
(`pool`, `worker`) over pipes, enforces deadlines, recovers from crashes and hangs, and commits
every result to SQLite (`store`) before the next case starts. `report`, `html`, `optest` and
`shard` read the store. The worker side imports only `ttgen.runtime` and the standard library.
"""
