"""Business events and order chains, built after loading from the canonical tables.

`spec` says which timestamp is which event and which columns are references (defaults plus the
config's `events:`); `build` turns the loaded tables into `main.events` and `main.correlation`
(one correlation id per order chain: connected components over every reference, in SQL);
`slo` measures event-pair SLOs per chain and writes the breaching chains as exceptions;
`chains` answers `recon trace` from those tables (the chain, its gaps, survivorship).
"""
