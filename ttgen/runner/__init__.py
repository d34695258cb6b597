"""The lean runner: generated sweep modules run in persistent, isolated worker processes.

The parent (`scheduler`) discovers cases statically (`discover`), hands case ids to workers
(`pool`, `worker`, each beneath a `keeper` that ends whatever its cases started) over pipes,
keeps the tail of their output (`output`), enforces deadlines, recovers from crashes and hangs,
and commits every result to SQLite (`store`) before the next case starts. The workers run in a
folder per run (`logdirs`). `report`, `html`, `optest` and `shard` read the store. The worker
side imports only `ttgen.runtime` and the standard library.
"""
