"""The lean runner: generated sweep modules run in persistent, isolated worker processes.

The parent (`scheduler`) discovers cases statically (`discover`), hands case ids to workers
(`pool`, `worker`, each beneath a `keeper` that ends whatever its cases started) over pipes,
keeps the tail of their output (`output`), enforces deadlines, recovers from crashes and hangs,
and commits every result to the store before the next case starts: one interface (`store`) over
a SQLite file (`sqlite_store`) or a PostgreSQL database many runners share (`postgres_store`),
the schema written once (`schema`), picked by what `--results` names (`location`, `stores`). The
workers run in a folder per run (`logdirs`). `report`, `history`, `html`, `optest` and `shard`
read the store; `merge` copies runs between stores. The worker side imports only
`ttgen.runtime` and the standard library.
"""
