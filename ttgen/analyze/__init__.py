"""Human- and machine-readable views of ingested traces (`ttgen show`, `ttgen stats`)."""
