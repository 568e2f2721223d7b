"""The declarative rule engine: rule packs (YAML) checked, compiled to SQL, run inside DuckDB.

Data flow: `loader` reads packs (problems with file and line) and `checks` validates them
against the canonical model; `compiler` turns one rule into one SELECT (pure, no connection);
`runner` executes the SELECTs through `recon.db` into `main.exceptions`, whose columns
`contract` defines; `registry` and `docs` list, explain and document the rules; `cases` runs
each rule's case file.
"""
