"""Problem codes that end a command or fail a source, by area.

A row is (code, name, title, message template, what it means[, default hint[, raised as]]).
Templates are `str.format` templates filled from `Problem.of(code, **fields)`; a field may not be
called file, line, path, field or hint (those locate the problem). Codes are never reused: retire
a code by leaving its entry, never by giving it a new meaning.
"""

from __future__ import annotations

from recon.problems.entry import Area, area

# How each way of raising ends a command (the "exit" column of docs/problem-codes.md); a test
# checks these against the error classes.
RAISED: dict[str, str] = {
    "ConfigError": "2",
    "InputError": "3",
    "LockedError": "4",
    "StateError": "2",
    "AckError": "2",
    "ScoreInputError": "2",
    "DeliveryError": "2",
    "SampleTargetError": "2",
    "EnvironmentProblem": "2",
    "InternalError": "2",
    "source": "3 under `--strict`, else the source fails and the run goes on; `recon validate`: 2",
}

CONFIG = area(
    "C", "Configuration (recon.yaml)",
    "The config file is read and checked before anything is loaded; every problem is listed at once.",
    "ConfigError",
    ("C001", "file-not-found", "File not found", "file not found",
     "The config file (`--config`, `RECON_CONFIG` or ./recon.yaml), or another YAML file recon was asked "
     "to read, does not exist.", "pass --config or set RECON_CONFIG"),
    ("C002", "duplicate-key", "Key appears twice",
     "key {key!r} appears twice (lines {first} and {second}); the last one would win",
     "A mapping names the same key twice. YAML would silently keep the last one, which is almost always "
     "a copy-paste mistake: remove or rename one."),
    ("C003", "unknown-key", "Unknown key", "unknown key {key!r}",
     "The config has a key recon does not know, usually a typo; the hint names the closest known key."),
    ("C004", "required-key-missing", "Required key missing", "required key {key!r} is missing",
     "A section lacks a key it cannot do without (a source's `path` or `entity`, ...)."),
    ("C005", "invalid-value", "Invalid value", "{message}",
     "A value has the wrong type or is out of range; the message is the validator's, such as "
     "`Input should be a valid integer`."),
    ("C006", "not-utf8", "Not UTF-8", "not UTF-8 text ({reason})",
     "YAML files are read as UTF-8: save the file as UTF-8."),
    ("C007", "not-yaml", "Not valid YAML", "not valid YAML: {reason}",
     "The file does not parse as YAML; the line is where the parser gave up (often a tab, an unclosed "
     "bracket or quote, or a missing space after a colon)."),
    ("C008", "config-not-mapping", "Config is not a mapping", "the config must be a mapping of sections",
     "The top level of recon.yaml must be a mapping (`sources:`, `rules:`, ...), not a list or a value."),
    ("C009", "is-a-folder", "Folder instead of a file", "is a folder, not a file",
     "The config path (or another YAML file recon was asked to read) names a folder."),
    ("C015", "permission-denied", "File not readable", "cannot be read (permission denied)",
     "The YAML file exists but this user may not read it."),
    ("C010", "unknown-timezone", "Unknown time zone", "unknown time zone {name!r}",
     "A `timezone` is not an IANA time zone name.", "use an IANA name such as Europe/Berlin"),
    ("C011", "unknown-entity", "Unknown entity", "unknown entity {entity!r}",
     "A source or the ownership section names an entity that is not in the canonical model "
     "(docs/config.md lists them)."),
    ("C012", "key-field-not-mapped", "Key field not mapped", "key field {key!r} of {entity} is not mapped",
     "A source maps an entity without one of its key fields, so its rows could not be matched."),
    ("C013", "not-an-entity-field", "Not a field of the entity", "{column!r} is not a field of {entity}",
     "A mapped field is close to a canonical field of the entity but not spelt like it (extra fields are "
     "kept, so a typo would silently leave the real field empty)."),
    ("C014", "unknown-lookup", "Unknown lookup", "unknown lookup {lookup!r}",
     "A `normalise: [{map: name}]` step names a lookup that the `lookups:` section does not define.",
     "define it under lookups:"),
    ("C030", "source-condition-invalid", "Source condition is not valid",
     "{what} is not a valid row condition: {reason}",
     "A source's `where:` must be one SQL condition over the source's own columns (DuckDB syntax), evaluated "
     "on each row alone: no aggregates, windows, subqueries or other tables.",
     "for example: where: \"EVENT = 'DL' AND QTY <> '0'\""),
    ("C031", "date-pattern-invalid", "File-name date pattern not valid", "{reason}",
     "A `{date:FORMAT}` part of a source path must be a strptime format holding a year and a day "
     "(`%Y%m%d`, `%Y-%m-%d`, `%y%j`).", "for example: path: stock/stock_{{date:%Y%m%d}}.csv"),
    ("C032", "select-needs-date", "Snapshot selection without a dated path",
     "{what} needs a {{date:FORMAT}} part in the path to know each file's date",
     "`select: as_of`, `select: latest_not_after_as_of` and `latest_by: {by: file_date}` go by the date in "
     "the files' names, which the path must say where to find.", "for example: path: stock/stock_{{date:%Y%m%d}}.csv"),
    ("C033", "latest-by-unknown-field", "latest_by names an unknown field",
     "{role} {name!r} is not a field of this source",
     "`latest_by` keys and `by` must be fields the source maps (canonical or extra), or `by: file` / "
     "`by: file_date`.", None),
    ("C035", "pivot-column-unknown", "Column not given by the pivot", "column {column!r} cannot be mapped: {reason}",
     "A source with `pivot:` maps the pivot's output, one row per key: its `by` columns and its `fields`. "
     "A mapped column must be one of them (an event column is read through a field such as "
     "`SIGNER: last(SIGNER) where EVENT = 'DL'`), and a field may not share a `by` column's name.", None),
    ("C036", "lookup-not-valid", "Lookup not valid", "{reason}",
     "A field `{lookup: SOURCE, on: COLUMN, field: COLUMN}` takes the `field` column of the SOURCE row whose "
     "`on` column equals this row's `on` cell: SOURCE must be another tabular source of the config that maps "
     "both columns (as `column:` specs), and lookups may not go round in a circle.", None),
    ("C037", "holidays-file-unreadable", "Holidays file cannot be read", "{reason}",
     "A calendar's `holidays_file` (relative to the config) must be a readable UTF-8 text file with one "
     "ISO date (2026-12-25) per line or in a CSV's first column.", None),
    ("C038", "line-format-not-a-line", "Line format on a field that is no line number",
     "{name!r} is not a line number; `line:` applies to line_no and order_line_no",
     "`line: integer | dotted | text` says how a source writes its line numbers; on another field it would "
     "do nothing, which is almost always a mapping put on the wrong field.", None),
    ("C040", "explode-path-invalid", "explode path not valid", "explode {text!r} is not a path to explode: {reason}",
     "A source's `explode:` names the arrays whose elements become rows: dot-separated keys, each array "
     "marked `[]`, ending at one (`stops[].shipment_ids[]`). A key holding a dot is written in double quotes.",
     "for example: explode: stops[].shipment_ids[]"),
    ("C041", "mapping-changes-row-count", "Mapping expression makes or folds rows",
     "{what} cannot be a column mapping: {reason}",
     "A column `expr:` is evaluated on each row alone, one value per row: `unnest()` would make several rows "
     "of one and an aggregate fold many into one, and then rows could no longer be traced to their line. "
     "To turn one nested record into many rows, declare the array path with `explode:` (docs/config.md, "
     "\"Nested JSON\"); to compute over many rows, use a `derive:` step after loading.", None),
    ("C042", "derive-not-a-select", "derive SQL is not a read-only SELECT", "{reason}",
     "A `derive:` step's `sql` must be one SELECT over the tables recon loaded: no INSERT, UPDATE, DELETE, "
     "COPY, ATTACH, CREATE or other statements (recon writes the result itself, into the step's `update:` or "
     "`create:` table), and nothing that reads files or runs SQL text (`read_csv`, `glob`, `query`, a quoted "
     "file name). Steps run with DuckDB's file access turned off.", None),
    ("C043", "derive-unknown-table", "derive reads an unknown table", "unknown table {table!r}",
     "A `derive:` step reads a table no source of the config loads (and no earlier step creates); tables "
     "are named `system.entity`, such as `erp.order_lines`.", None),
    ("C044", "derive-unknown-column", "derive reads an unknown column", "{reason}",
     "A `derive:` step's SELECT names a column its tables do not have (checked against the catalogue: "
     "canonical fields, lineage and the columns the config maps).", None),
    ("C045", "derive-output-invalid", "derive output does not fit its table", "{reason}",
     "`update: TABLE` needs the SELECT to give the columns naming the rows to change (`on:`, default the "
     "entity's keys) and at least one column of TABLE to set; `create: TABLE` makes a table no source loads, "
     "from canonical fields of its entity (its key fields required) and lineage columns.", None),
    ("C048", "event-declaration-invalid", "Event or SLO names what does not exist", "{reason}",
     "`events.tables` names a table or a timestamp column the config cannot load, or an SLO's `from`/`to` "
     "names an event type no table of the config produces (docs/operations.md lists the event types).", None),
    ("C034", "source-feature-not-here", "Source feature not available here", "{feature} is not available {where}",
     "A source feature (`where`, `latest_by`, `pivot`, `explode`, a dated path) is not supported for this format "
     "or engine yet; rather than ignoring it, validation stops.", None),
    ("C021", "age-column-not-mapped", "Age column not mapped", "{column!r} is not mapped by this source",
     "A source's `expect: {age_column: ...}` names a field the source does not fill, so the age of its "
     "delivery could never be measured.", "name a mapped timestamp field of this source"),
    ("C022", "budget-unknown-source", "Budget names an unknown source", "unknown source {source!r}",
     "A `rejected_rows` budget's `source:` is not a source of the config."),
)

YAML_LIMITS = area(
    "Y", "YAML limits",
    "recon.yaml and rule packs are read within limits, so a hostile or mistaken file cannot take the "
    "machine's memory or time. They apply to rule packs too, whose problems keep these codes.",
    "ConfigError",
    ("Y001", "yaml-too-large", "File too large",
     "file is {size:,} bytes; a config or rule pack may have at most {limit:,}",
     "The file is larger than any config or rule pack needs (1 MiB).",
     "is this the right file? split a very large rule pack into several"),
    ("Y002", "yaml-too-deep", "Nested too deep", "nested more than {depth} levels deep",
     "Mappings and lists are nested deeper than the limit (64).",
     "a config or rule pack needs a dozen levels at most; is this the right file?"),
    ("Y003", "yaml-alias-bomb", "Aliases expand too much",
     "aliases expand the document from {distinct:,} to {expanded:,} nodes; at most {limit:,} more are allowed",
     "YAML anchors and aliases would multiply the document beyond the budget (10,000 extra nodes), the "
     "shape of an alias bomb.", "write the repeated parts out, or alias smaller blocks fewer times"),
)

RULES = area(
    "R", "Rule packs",
    "Rule packs are read and checked before any data is touched; every problem in every pack is listed "
    "with its file, line and YAML path.",
    "ConfigError",
    ("R001", "rule-pack-unreadable", "Rule pack cannot be read", "{reason}",
     "A rule pack file is missing, a folder, not readable, not UTF-8 or not valid YAML; the message says "
     "which (a YAML limit keeps its Y code)."),
    ("R002", "rule-pack-duplicate-key", "Key appears twice in a rule pack", "{reason}",
     "A mapping in a rule pack names the same key twice; the last one would silently win."),
    ("R003", "unknown-rule-key", "Unknown key in a rule", "unknown key {key!r}",
     "A rule or pack has a key recon does not know, usually a typo; the hint names the closest one."),
    ("R004", "required-rule-key-missing", "Required key missing in a rule", "required key {key!r} is missing",
     "A rule or pack lacks a key it cannot do without."),
    ("R005", "invalid-rule-value", "Invalid value in a rule", "{message}",
     "A value in a rule has the wrong type or is out of range (a bad duration, a negative tolerance, ...); "
     "the message is the validator's."),
    ("R006", "unknown-rule-kind", "Unknown rule kind", "`kind` must be {kinds}",
     "A rule's `kind` is missing or not one of the rule kinds."),
    ("R007", "pack-not-mapping", "Rule pack is not a mapping",
     "a rule pack is a mapping with pack, workflow, title and rules",
     "The top level of a rule pack file must be a mapping.", "see docs/rules.md for the shape"),
    ("R008", "sides-on-single-rule", "left/right on a one-sided rule", "left/right apply to match rules; use expr",
     "A check or duplicate rule reads one table, so its keys take `expr`, not `left`/`right`."),
    ("R010", "duplicate-rule-id", "Duplicate rule id", "duplicate rule id {rule!r}",
     "Two rules share an id; ids key the exceptions and their history, so each must be unique.",
     "first defined in {first}"),
    ("R011", "unknown-entity-in-table", "Unknown entity in a table name",
     "unknown entity {entity!r} in table {table!r}",
     "A table is written `system.entity`; the entity part is not in the canonical model."),
    ("R012", "unknown-column", "Unknown column in a snippet", "{what}: unknown column {column!r}",
     "A SQL snippet (where, event_at, a key, a compare side, value_at_risk, ...) names a column the table "
     "or side does not have."),
    ("R013", "bad-snippet", "SQL snippet not allowed", "{what}: {reason}",
     "A SQL snippet does not parse, or uses something rules may not (subqueries, several statements, ...)."),
    ("R014", "unknown-parameter", "Unknown parameter", "unknown parameter ${name}",
     "A rule uses `$name`, but its pack declares no such parameter."),
    ("R015", "aggregate-not-a-number", "Sum or average of a non-number", "cannot {func} {column!r}: it is not a number",
     "`aggregate:` sums or averages a column that is not numeric.", "use min, max or count"),
    ("R016", "tolerance-on-text", "Tolerance on a text comparison",
     "{name} is compared as text: a tolerance does not apply",
     "A compared field is text, so a numeric or time tolerance cannot apply.",
     "normalise text instead (normalise: [trim, upper])"),
    ("R017", "older-than-without-clock", "older_than without a clock",
     "older_than needs a clock: the rule has no event_at",
     "An outcome waits `older_than` before it counts, but the rows carry no time (`event_at`) to age them by.",
     "give the side an event_at, e.g. event_at: shipped_at"),
    ("R018", "exception-key-conflict", "One exception type, two business keys",
     "exception type {exception!r} is keyed by {key} here but by {other_key} in rule {other}",
     "Two rules raise the same exception type with different business keys; the exception ids would not be "
     "comparable across runs.", "one exception type, one business key"),
    ("R019", "unknown-system", "Unknown system in a table name", "unknown system {system!r} in table {table!r}",
     "A table is written `system.entity`; the system part names no source's system."),
    ("R020", "unknown-rule", "Unknown rule", "no rule {rule!r}",
     "A command names a rule id that no rule pack in use defines.", "`recon rules list` shows every rule id"),
    ("R021", "no-bundled-pack", "No such bundled pack", "no bundled pack {name!r}",
     "`rules: [bundled/NAME]` names a pack recon does not ship."),
    ("R022", "no-rule-pack-matches", "No rule pack matches", "no rule pack matches {entry!r}",
     "A `rules:` entry matches no file.", "paths are relative to the config file; `bundled` names recon's packs"),
    ("R023", "unknown-record-entity", "Unknown record entity", "unknown entity {entity!r}",
     "A match rule's `record:` names an entity that is not in the canonical model."),
    ("R024", "case-unknown-table", "Unknown table in a case file", "unknown table {table!r}",
     "A rule case file gives rows for a table whose entity is not in the canonical model."),
    ("R025", "unknown-qualifier", "Unknown qualifier in a snippet", "{what}: unknown qualifier {qualifier!r} in {ref}",
     "A snippet writes `x.column` where `x` is neither `left` nor `right` (or bare names are expected)."),
    ("R026", "not-a-lookup-column", "Lookup joins on an unknown column", "{column!r} is not a column of {table}",
     "A lookup's `by:` names a column that one of the two tables does not have."),
    ("R027", "lookup-field-hides-column", "Lookup field hides a column", "lookup field {alias!r} would hide {hidden}",
     "A lookup brings in a field with the name of a column the table already has; rename the field."),
    ("R028", "unknown-aggregate-column", "Unknown column to aggregate", "unknown column {column!r} to aggregate",
     "`aggregate:` names a column the side does not have."),
    ("R029", "unknown-dedupe-column", "Unknown column to dedupe on", "unknown column {column!r} to dedupe on",
     "`dedupe:` names a column the side does not have."),
    ("R030", "unknown-distinct-column", "Unknown distinct column", "unknown column {column!r}",
     "A duplicate rule's `distinct:` names a column the table does not have."),
    ("R031", "case-unknown-column", "Unknown column in a case file", "{column!r} is not an exceptions column",
     "A rule case file expects a column that exceptions do not have (docs/exceptions.md lists them)."),
    ("R032", "aggregate-not-allowed", "Aggregate where rows are meant",
     "{what}: aggregate functions are not allowed here",
     "A snippet that is evaluated per row (where, event_at, a key) uses sum(), count() or another aggregate."),
    ("R033", "unused-parameter", "Parameter not used", "parameter {name!r} is not used by any rule pack",
     "The config's `parameters:` sets a value no rule pack declares; it would change nothing."),
    ("R034", "window-on-non-time", "Time window on a non-time field", "a time window on {name}, which is a {kind}",
     "A compare gives `window`/`before`/`after` for a field that is not a time.", "use abs, pct or lower/upper"),
    ("R035", "time-needs-window", "Time compared with a number tolerance",
     "{name} is a time: give window or before/after",
     "A compare of times gives `abs`/`pct`; times are compared within a window.", "e.g. tolerance: {{window: 24h}}"),
    ("R036", "normalise-on-non-text", "normalise on a non-text field", "normalise applies to text; {name} is a {kind}",
     "A compare normalises a field that is not text."),
    ("R037", "bad-message-template", "Message template does not parse", "message template: {reason}",
     "An outcome's `message:` is not a valid template.", "write literal braces as {{{{ }}}}"),
    ("R038", "unknown-placeholder", "Unknown placeholder in a message", "unknown placeholder {{{name}}} in message",
     "An outcome's `message:` uses `{name}` that is not an exceptions column (or `rows`)."),
    ("R039", "not-a-key-column", "Not an exception key column", "{name!r} is not an exception key column",
     "An outcome's `key:` or `context:` names a column that is not one of the exception key columns."),
    ("R040", "no-business-key", "Outcome without a business key", "outcome {exception} has no business key",
     "An outcome's exceptions would have no business key (the rule's keys are not exception key columns), "
     "so they could not be told apart or followed across runs."),
    ("R041", "ambiguous-without-fuzzy", "ambiguous without fuzzy matching",
     "ambiguous applies to fuzzy matching: exact keys never tie",
     "`ambiguous:` is an outcome of fuzzy matching; an exact-key rule never has tied candidates.",
     "add fuzzy: levels, or report duplicate keys with a duplicate rule"),
    ("R042", "key-on-single-rule", "key on a check or duplicate outcome",
     "the business key of a check or duplicate rule is its keys:",
     "A check or duplicate rule's outcome gives `key:`; such rules are keyed by their `keys:`.",
     "name the keys after exception columns, e.g. keys: [{{name: document, expr: reference}}]"),
    ("R075", "note-on-single-rule", "note on a check or duplicate outcome",
     "note applies to match rules; put the text in a context column",
     "`note:` is text over a match rule's pair, shown by its message's `note` placeholder; a check or duplicate "
     "rule's outcome fills exception columns with `context:` instead."),
    ("R043", "event-on-single-rule", "event on a check or duplicate outcome",
     "event applies to match rules; set event_at on the rule",
     "`event:` picks a side's clock; a check or duplicate rule has one side, whose `event_at` is the clock."),
    ("R090", "file-access-in-snippet", "Snippet reads files", "{what}: {reason}",
     "A snippet calls a function that reads files, globs folders or runs SQL text (`read_text`, `read_csv`, "
     "`glob`, `*_scan`, `query`, ...) or, on Spark, calls Java (`reflect`, `java_method`). Rules read only the "
     "tables recon loaded; list other files as sources.",
     "a run also turns DuckDB's file access off before its rules (docs/operations.md, 'Security model')"),
    ("R060", "unknown-calendar", "Unknown calendar", "business-day age uses calendar {calendar!r}, which the config "
     "does not define",
     "An `older_than` or an SLO target in business days (`2bd`, or `2bd:NAME`) counts working days on a "
     "calendar from the config's `calendars:` section: `2bd` uses the one named `default`, or the only one there is.",
     "define it under calendars: in recon.yaml"),
    ("R044", "case-unknown-rule", "Case file names an unknown rule", "no rule {rule!r} in the packs",
     "A rule case file names a rule id that no pack defines."),
    ("R070", "override-unknown-rule", "Override names no rule", "overrides.rules names no rule {rule!r}",
     "recon.yaml's `overrides.rules` has an entry for a rule id that none of the rule packs in use defines, "
     "so it would change nothing (a typo, or a rule of a pack the config does not use).",
     "`recon rules list` shows every rule id"),
    ("R071", "override-unknown-pack", "Override names no pack", "overrides.packs names no pack {name!r}",
     "recon.yaml's `overrides.packs` has an entry for a pack name (a pack file's `pack:`) that no rule pack "
     "in use has."),
    ("R072", "override-unknown-exception", "Override names no exception type of the rule",
     "rule {rule!r} raises no exception type {exception!r}",
     "`overrides.rules.<id>.exceptions` changes the outcomes of one exception type, and the rule has no "
     "outcome of that type."),
    ("R073", "selection-matches-nothing", "Rule selection matches no rule", "{option} {token!r} matches no rule",
     "A `--select`/`--exclude` entry (a rule id, a pack name, or a glob over rule ids) matches no rule of "
     "the packs in use.", "`recon rules list` shows every rule id and pack"),
    ("R074", "parameter-not-a-choice", "Parameter value not allowed", "parameter {name!r} is {value!r}; "
     "it takes one of: {choices}",
     "A rule pack declares the values a parameter may take (`choices:`, e.g. which event starts a clock), and "
     "the config gives another; the rule would otherwise silently measure nothing."),
)

INPUT = area(
    "I", "Input files",
    "A file that cannot be read fails its source: the other sources still load and the run reports the "
    "failed source (with `--strict` the run stops with exit 3). `recon validate` checks the same.",
    "source",
    ("I001", "unreadable-file", "File cannot be read in its format", "cannot read as {format}: {reason}",
     "The file does not parse in its source's format (CSV, JSON, Parquet, xlsx); the reason is the reader's."),
    ("I002", "no-file-matches", "No file matches", "no file matches {pattern!r}",
     "A source's `path` (a file or a glob) matches no file; the hint shows what the folder holds."),
    ("I003", "encoding-not-supported", "Encoding not supported", "encoding {encoding!r} is not supported",
     "A source's `options: {encoding: ...}` names an encoding the reader does not know.",
     "supported: {supported}"),
    ("I004", "mapped-column-missing", "Mapped column not in the file",
     "mapped {noun} {columns} not in the file (columns present: {present})",
     "A column named in the source's mapping is not in the file's header; the hint suggests the closest."),
    ("I005", "mapping-does-not-apply", "Mapping expression does not apply",
     "a mapping expression does not apply to this file: {reason}",
     "A mapped expression (`expr:`) fails on this file, usually a column type it does not expect."),
    ("I006", "x12-unreadable", "X12 file cannot be read", "{reason}",
     "An X12 source file is empty, unreadable or not X12 at all; the X12 finding with the same reason is in "
     "the findings (`recon edi inspect` shows them)."),
    ("I007", "invalid-encoding", "Bytes not valid in the encoding", "line {bad_line} is not valid {encoding}",
     "The file holds bytes that are not text in the source's encoding (UTF-8 by default).",
     "try options: {{encoding: latin-1}}"),
    ("I008", "empty-sheet", "Empty sheet", "the sheet is empty (no header row)",
     "An xlsx sheet has no rows, so not even a header."),
    ("I009", "unreadable-lines", "Lines cannot be read", "cannot read lines: {reason}",
     "A line-based file (JSON lines) cannot be read as text lines."),
    ("I025", "utf16-big-endian", "UTF-16 big-endian file", "the file is UTF-16 big-endian text; UTF-16 is read "
     "little-endian", "The file starts with the big-endian byte order mark (FE FF), or every other byte of its start "
     "is NUL with the NUL first: read little-endian it would decode as one line of unrelated characters, and "
     "its rows would be lost.", "convert it to UTF-8 or UTF-16LE, e.g. iconv -f UTF-16BE -t UTF-8"),
    ("I024", "format-not-on-engine", "Format not readable on this engine", "the {engine} engine cannot read format "
     "{format}", "A source's format has no reader on the configured engine (recon.formats: its `spark` is empty); "
     "the source fails and the run goes on.", "run this config with engine: duckdb"),
    ("I020", "empty-file", "Empty file", "the file is empty: no {what} line",
     "A CSV file has no lines (or none after the skipped ones), so not even a header to check the mapping "
     "against. A file holding only its header is not empty: it loads no rows."),
    ("I021", "duplicate-header", "Two columns with one name",
     "columns {first} ({first_name!r}) and {second} ({second_name!r}) of the header have the same name; "
     "which one to read is ambiguous",
     "Two header cells of a CSV file have the same name (compared without case) and the mapping reads that "
     "name. A duplicate the mapping does not read is harmless.",
     "rename one of them in the extract, or read by position with options: {{header: false}}"),
    ("I022", "blank-header", "Header line is empty", "line {header_line} (the header) is empty",
     "The line where the header should be is empty.",
     "set options: {{skip: N}} to skip the lines before the header"),
    ("I023", "utf16-read-as-8bit", "UTF-16 file read as 8-bit text", "the file looks like UTF-16 text, not {encoding}",
     "Every other byte of the file's start is NUL, or it starts with a UTF-16 byte order mark: it is UTF-16 "
     "text, which read as UTF-8 or Latin-1 would be full of NUL characters.",
     "set options: {{encoding: utf-16}}"),
    ("I030", "condition-column-missing", "Condition names a column not in the file",
     "{what} names {noun} {columns} not in the file (columns present: {present})",
     "A source's `where:` reads a column the file's header does not have; the hint suggests the closest."),
    ("I031", "condition-does-not-apply", "Condition does not apply to the file",
     "{what} does not apply to this file: {reason}",
     "A source's `where:` fails on this file's cells (all text): compare text with text, or cast with "
     "TRY_CAST so that a cell that does not parse is NULL (a row whose condition is NULL is filtered).",
     "for example: where: \"TRY_CAST(QTY AS DECIMAL) > 0\""),
    ("I040", "mapping-changed-row-count", "Mapping made or folded rows",
     "the column mapping gave a different number of rows than the file has, so rows could not be traced",
     "A mapping expression made several rows of one or folded several into one (a set-returning or "
     "aggregate function that `recon validate` could not recognise). The file fails rather than load rows "
     "that cannot be traced to their line.", "map nested arrays with explode: (docs/config.md, \"Nested JSON\")"),
    ("I041", "derive-step-failed", "derive step failed", "derive step {step!r} failed: {reason}",
     "A `derive:` step could not run on this night's data (a value that does not convert to its column's "
     "type, two rows for one key, an empty key, or an input table whose source failed). Its table is "
     "treated like a failed source's: the rules reading it are not evaluated and the run is incomplete.", None),
    ("I033", "lookup-source-not-loaded", "Lookup source did not load",
     "the lookup source {lookup!r} loaded no file, so no reference can be resolved",
     "A field of this source is taken from another source by key (`{lookup: ...}`), and that source failed "
     "(or matched no file). Rather than reject every row for a missing reference, the file fails; fix the "
     "lookup source's problem first."),
    ("I032", "snapshot-missing", "No snapshot for the as-of date",
     "{reason} among {count} file(s) matching {pattern!r}",
     "A source with `select: as_of` (or `latest_not_after_as_of`) found no file whose name carries the "
     "as-of date (or one before it). The source fails: its entity would otherwise be judged on stale or no "
     "data.", "check the extract job for that day, or run with --as-of the date of the newest snapshot"),
)

OUTPUTS = area(
    "O", "Run outputs",
    "A run replaces its output folder as a whole; `recon report` re-renders a run from the files it wrote.",
    "InputError",
    ("O001", "run-output-missing", "Run output missing", "{output} not found",
     "The folder lacks a file every run writes (summary.json, exceptions.parquet).",
     "is this a run's output folder?"),
    ("O002", "summary-not-json", "summary.json is not JSON", "{output} is not readable JSON: {reason}",
     "A run's summary.json cannot be read back."),
    ("O003", "unknown-run", "No outputs for the run", "no outputs for run {run!r} in {folder}",
     "`recon report --run` names a run id with no folder under the config's `out:`.",
     "runs written with --out DIR are re-rendered with --dir DIR", "ConfigError"),
    ("O004", "out-folder-not-ours", "Output folder holds other files",
     "{folder} holds files recon did not write: {files}",
     "A run (or `recon report --out`) replaces its output folder as a whole, atomically; it refuses an existing "
     "folder holding anything but a run's outputs rather than delete it.",
     "give --out an empty or new folder, or one a previous run wrote", "ConfigError"),
    ("O005", "out-is-a-file", "Output path is a file", "{folder} is a file, not a folder",
     "`--out` (or `out:`) names an existing file.", "give --out a folder (it is created if missing)",
     "ConfigError"),
    ("O006", "runs-disagree", "Files of two runs", "the files of {folder} disagree on the run id: summary.json is "
     "run {run}, {others}",
     "`recon report` found files of another run in the folder (copied together, or left half written by a "
     "recon without atomic outputs); re-rendering it would report one run's numbers under another's name.",
     "re-render a folder one run wrote as a whole, or run again", "ConfigError"),
)

STATE = area(
    "S", "State store",
    "The state file (`state:`) keeps every run so exceptions can be new, open or resolved.",
    "StateError",
    ("S001", "state-unopenable", "State file cannot be opened", "cannot open the state file: {reason}",
     "DuckDB cannot open the state file (permissions, a full disk, not a DuckDB file, ...)."),
    ("S002", "not-a-state-file", "Not a recon state file", "not a recon state file",
     "The file is a DuckDB database without recon's tables."),
    ("S003", "state-too-new", "State file from a newer recon",
     "the state file has schema version {version}; this recon knows up to {known}",
     "A newer recon has written this state file; this version cannot read it safely.",
     "upgrade recon, or point `state:` at another file"),
    ("S004", "state-truncated", "State file damaged",
     "the state file is damaged: it has {size:,} bytes but its blocks need at least {needed:,} (a truncated copy?)",
     "The file is shorter than the blocks DuckDB's catalogue says it holds: a copy cut short or a full disk. "
     "Found when the state is opened, before anything is loaded.",
     "restore it from a backup (docs/operations.md, 'Backing up and restoring the state'), or move it aside to "
     "start a new history"),
    ("S005", "foreign-database", "Someone else's DuckDB database",
     "not a recon state file: a DuckDB database with other tables ({tables})",
     "`state:` points at a DuckDB database that holds other tables and none of recon's. recon neither reads it "
     "as an empty history nor adds its tables to it.", "point `state:` in recon.yaml at a file of its own"),
    ("S006", "no-kept-run", "No kept run database", "no run's tables are kept in {folder}",
     "`recon query` (and `recon trace` without `--reload`) read the tables a run kept beside the state; no "
     "run has kept any yet, or `outputs.keep_tables_days` is 0.",
     "run `recon run` first (with outputs.keep_tables_days above 0)"),
    ("S007", "run-not-kept", "Run not kept", "run {run_id} has no kept tables (kept: {kept})",
     "`--run` names a run whose tables are not kept: a typo, a dry run, or a run older than "
     "`outputs.keep_tables_days`, whose tables were removed.", "`recon history` lists the runs"),
    ("S008", "query-not-read-only", "Query would change something",
     "recon query runs SELECT statements only, not {kind}",
     "A run's kept tables are evidence: `recon query` reads them and refuses statements that write, attach, "
     "copy or change settings.", "write a SELECT (WITH ... SELECT, or DESCRIBE a table)"),
    ("S009", "query-failed", "Query failed", "the query failed: {reason}",
     "DuckDB refused the SQL: a syntax error, an unknown table or column, a type error, or a file read "
     "(queries may read only the run's tables).",
     "`recon query \"SELECT table_schema, table_name FROM information_schema.tables\"` lists the tables"),
    ("S010", "runs-to-compare", "Not enough runs to compare",
     "`recon diff` needs {wanted}; the state holds {found} run(s) that did not fail",
     "A diff compares two recorded runs: the two most recent by default, or the run given and the one before it.",
     "run `recon run` again, or pass both run ids"),
    ("S011", "run-not-found", "No such run",
     "no single recorded run matches {run!r} ({matches} match); recent runs: {known}",
     "A run id (or a prefix of one) given to `recon diff` names no recorded run, or more than one.",
     "copy the id from `recon history`"),
    ("S012", "compare-inputs-gone", "Inputs of the last run are gone",
     "run {run_id}: its extracts have changed since (sha256) and its tables are not kept",
     "`recon run --dry-run --compare-to last` runs today's config and rules over the inputs of the last recorded "
     "run: the extracts it read, if unchanged, else the tables it kept beside the state. Neither is there.",
     "keep run tables (outputs.keep_tables_days above 0) or put that night's extracts back"),
)

ENVIRONMENT = area(
    "V", "Environment",
    "Files and folders recon must write, and the machine's resources. Not a bug and not bad data: the "
    "message names the file and the operating system's reason. `recon run` checks what it can before "
    "any extract is read.",
    "EnvironmentProblem",
    ("V001", "cannot-use-path", "File or folder cannot be used", "{what}: {reason}",
     "A file or folder recon needs cannot be created or written: a read-only or full output folder, a lock "
     "file that cannot be created, a path under a file, a spill folder (`engine.temp_directory`) that takes "
     "no files. The hint follows the operating system's reason."),
    ("V010", "out-of-memory", "Out of memory", "DuckDB ran out of its memory limit: {reason}",
     "The data needs more memory than `engine.memory_limit` allows, even spilling to disk.",
     "raise engine.memory_limit in recon.yaml (default 1.5GiB; e.g. 4GB or 50%), or set engine.threads: 1 "
     "to need less at once"),
    ("V020", "bundled-packs-missing", "Bundled rule packs missing",
     "this installation of recon has no bundled rule packs in {folder}",
     "recon's own rule packs (`bundled`, and a config without `rules:`) are not where the installed package "
     "keeps them: a source tree without its `rules/` folder or `pyproject.toml`, or a package built without "
     "`recon/packs/`. A run would otherwise check nothing and report nothing to do.",
     "reinstall recon (`pip install` the package, or `make dev` in a checkout), or name your own packs under "
     "`rules:` in recon.yaml"),
)

INTERNAL = area(
    "N", "Internal errors",
    "An error recon did not expect.",
    "InternalError",
    ("N999", "internal-error", "Internal error", "{kind}: {reason}",
     "A bug in recon: please report it with the traceback of `--debug` (which changes no exit code).",
     "this is a bug in recon; rerun with --debug for the traceback and report it"),
)

LOCKS = area(
    "L", "Locks",
    "One run at a time may use a state file.",
    "LockedError",
    ("L001", "state-locked", "Another run holds the lock", "the state is locked by another recon run{held_by}",
     "Another `recon run` is in progress on the same state; this run did nothing.",
     "this run did nothing; let the other run finish, or schedule runs further apart"),
    ("L002", "state-busy", "State file in use", "the state file is in use by another recon process",
     "Another recon process holds the state file open for writing longer than the wait allows.",
     "a run is recording its results or another command holds the file; try again"),
)

ACKS = area(
    "A", "Acknowledgements, explanations and manual matches",
    "`recon ack` records that an exception is known and expected until a date; `recon resolve` explains it "
    "with a reason code; `recon match` pairs two keys the engine could not.",
    "AckError",
    ("A001", "ack-without-note", "Ack without a note", "an ack needs a note saying why",
     "Every ack says why, so the next analyst knows.", "--note 'carrier rebills monthly'"),
    ("A002", "ack-unknown-exception", "Unknown exception id", "no recorded run found exception {exception}",
     "No run in the state store found this exception id (a typo, or another state file).",
     "check the id in exceptions.csv or `recon history`; --force acks it anyway"),
    ("A003", "no-ack", "Exception has no ack", "exception {exception} has no ack",
     "`recon ack --remove` names an exception that is not acked.", "`recon ack --list` shows the acks"),
    ("A004", "unknown-reason-code", "Unknown reason code", "unknown reason code {code!r} (known: {known})",
     "`recon resolve --reason` (or a --from-csv row) names a code that is not in the config's catalogue: the "
     "defaults and `reason_codes:` in recon.yaml.",
     "pick a listed code, or add it under reason_codes: in recon.yaml"),
    ("A005", "parking-reason-without-until", "Parking reason without an end date",
     "reason {code!r} only parks an exception: give --until DATE",
     "A reason code with `resolves: false` keeps the exception listed as acked, outside the bar until a date, "
     "like `recon ack`; without a date it would be parked for ever.", "--until 2026-12-31"),
    ("A006", "no-resolution", "Exception has no explanation", "exception {exception} has no explanation",
     "`recon resolve --withdraw` names an exception that was never explained (or was withdrawn already).",
     "`recon resolve --list` shows the explanations"),
    ("A007", "ids-file-unreadable", "File of ids cannot be read", "cannot read {csv_file}: {reason}",
     "`--from-csv` names a file that cannot be opened or is not UTF-8 CSV.",
     "save it as CSV (UTF-8) with an exception_id column"),
    ("A008", "ids-file-without-id-column", "File of ids has no exception_id column",
     "{csv_file} has no exception_id column (columns: {present})",
     "`--from-csv` reads the ids from the `exception_id` column, as exceptions.csv and the queue files have it.",
     "keep the header row of exceptions.csv when filtering it"),
    ("A009", "match-rule-unknown", "No such match rule", "no match rule {rule!r} in the configured packs",
     "`recon match --rule` names a rule that is not among the configured packs' rules.",
     "`recon rules list` shows the rule ids"),
    ("A010", "match-rule-not-exact", "Rule cannot take manual matches",
     "rule {rule!r} cannot take manual matches: {reason}",
     "A manual match pairs two keys of a match rule that pairs by exact keys. A check or duplicate rule has no "
     "pairs, and a fuzzy rule pairs by score, so a recorded pairing would not be applied.",
     "pick the exact-key match rule whose missing-left and missing-right exceptions the pair produced"),
    ("A011", "match-key-shape", "Key has the wrong number of values",
     "{side} key {key!r} has {got} value(s); rule {rule} has {want} key(s) ({names}), joined by |",
     "A key of a manual match is the rule's key values in order, after its normalisers, joined by `|`.",
     "e.g. SO-1001|10 for keys order_id, line_no"),
    ("A012", "no-manual-match", "No such manual match", "rule {rule} has no manual match {left} → {right}",
     "`recon match --remove` names a pairing that was never recorded (or was removed already).",
     "`recon match --list` shows the pairings"),
    ("A013", "manual-match-engine", "Manual matches not applied by this engine",
     "the {engine} engine does not apply manual matches; rules with pairings: {rules}",
     "Pairings recorded with `recon match` are applied by the DuckDB engine. Running without them would report "
     "the paired rows as missing again, as if nobody had matched them, so the run stops instead.",
     "run on the DuckDB engine (--engine duckdb), or remove the pairings with `recon match --remove`",
     "ConfigError"),
)

EMAIL = area(
    "E", "E-mail delivery",
    "The run's outputs are on disk; only sending the report failed.",
    "DeliveryError",
    ("E001", "smtp-error", "SMTP error", "{where}: {reason}",
     "The SMTP server answered with an error while the report was being sent."),
    ("E002", "credentials-without-tls", "Credentials without TLS",
     "refusing to send SMTP credentials to {where} without TLS",
     "`RECON_SMTP_USER` is set but `email.starttls` is off and the server is not on this machine.",
     "set email.starttls: true, or unset RECON_SMTP_USER"),
    ("E003", "smtp-login-refused", "SMTP login refused", "{where} refused the login of {user!r}: {reply}",
     "The server refused the user name or password.", "check RECON_SMTP_USER and RECON_SMTP_PASSWORD"),
    ("E004", "recipients-refused", "Recipients refused", "{where} refused the recipients {recipients}",
     "The server refused every recipient address."),
    ("E005", "tls-failed", "TLS failed", "{where}: TLS failed: {reason}",
     "STARTTLS failed, usually a certificate not valid for the host name.",
     "the server certificate must be valid for the host name"),
    ("E006", "smtp-unreachable", "SMTP server unreachable", "cannot reach the SMTP server {where}: {reason}",
     "No connection to the SMTP server.", "check email.smtp_host and email.smtp_port"),
    ("E007", "smtp-not-supported", "SMTP feature not offered", "{where}: {reason}",
     "The server does not offer STARTTLS or AUTH, which the settings ask for.",
     "the server may not offer STARTTLS or AUTH; check email.starttls"),
)

ENGINE = area(
    "E", "Engines",
    "`engine:` picks where the rules run.",
    "ConfigError",
    ("E010", "pyspark-missing", "pyspark not installed", "engine spark needs pyspark, which is not installed",
     "`engine: spark` needs the spark extra.",
     "pip install 'distrecon[spark]' (and Java 17+ on the PATH or in JAVA_HOME)"),
    ("E011", "spark-start-failed", "Spark does not start", "cannot start Spark (master {master}): {reason}",
     "Spark could not start: no or wrong Java, or the master cannot be reached.",
     "Spark needs Java 17+ (java -version; or set JAVA_HOME); check engine.spark.master"),
    ("E012", "spark-executor-python", "Spark executors cannot run recon's Python",
     "the Spark executors' Python cannot run recon ({master}): {reason}",
     "At session start recon runs one small task on the executors (`spark.pyspark.python`, by default the "
     "interpreter that runs `recon`) that imports what recon's UDFs and the X12 parser need. It failed: the "
     "executors' interpreter is missing, a different Python version, or lacks recon or one of its dependencies.",
     "install distrecon[spark] in the same Python version on every executor and point "
     "engine.spark.conf.spark.pyspark.python at that interpreter (docs/scale-out.md)"),
    ("E013", "spark-no-executors", "No Spark executor took a task",
     "no Spark executor ran the start-up probe within {seconds} s (master {master})",
     "The master accepted the application but no executor ran its first task: no worker is registered, or "
     "none has the cores or memory the application asks for (`spark.executor.memory`, `spark.executor.cores`).",
     "check the master's web UI for registered workers and their free cores and memory"),
    ("E014", "spark-sql-refused", "SQL refused on Spark", "{what}: {reason}",
     "Spark SQL can read files (a file path as a table, `read_files`), call Java methods (`reflect`, `java_method`) "
     "or run statements other than a query; recon runs only queries over the tables it loaded. DuckDB turns "
     "its own file access off before the rules; on Spark every statement recon is about to run is checked "
     "instead, and one that reaches outside is refused (the rule fails, or the file's load fails).",
     "rules and mappings read only the tables recon loaded (docs/operations.md, 'Security model')"),
)

USAGE = area(
    "U", "Command options",
    "Options given on the command line.",
    "ConfigError",
    ("U001", "bad-as-of", "Bad --as-of", "--as-of {value!r} is not an ISO 8601 date or timestamp",
     "`--as-of` must be a date or a timestamp.", "for example 2026-11-20T06:00:00+00:00"),
    ("U002", "sample-would-overwrite", "Sample would overwrite a project",
     "the folder already holds a recon.yaml that recon sample did not write",
     "`recon sample` refuses to overwrite a recon.yaml it did not generate.",
     "choose another --out, or pass --force to overwrite it", "SampleTargetError"),
    ("U003", "unknown-problem-code", "Unknown problem code", "no problem code {code!r}",
     "`recon problems show` names a code that is not in the catalogue.",
     "docs/problem-codes.md lists every code"),
    ("U004", "nothing-to-init", "No extract to build a config from",
     "recon init found no extract it could classify among {files} file(s) under {paths}",
     "`recon init` writes no config without a source: the folders hold no files (recon's own files, hidden "
     "files and documents are left out), or none of them holds the keys of a canonical entity (each is "
     "listed with the reason).", "point it at the extract files or their folder; docs/getting-started.md"),
)

COVERAGE = area(
    "W", "Coverage and lints (recon validate)",
    "`recon validate` checks, from the config alone, that every rule can read what it needs and that "
    "mappings mean what they look like. These are warnings (exit 0) unless `--strict` makes them "
    "errors; `recon run` reports a rule that cannot be evaluated as not evaluated (exit 5).",
    "ConfigError",
    ("W001", "rule-not-evaluated", "Rule cannot be evaluated",
     "rule {rule} will not be evaluated: {reason}",
     "The rule reads a field that no source maps: on the canonical table that field is empty on every "
     "row, so the rule would silently find nothing. A run reports it as not evaluated and the night as "
     "incomplete.",
     "map the field in the source's columns, or list the rule in skip_rules"),
    ("W002", "format-without-type", "Extra field looks typed but is text",
     "extra field {name!r} has {given} but no type: it is loaded as text and its {given} ignored",
     "An extra (non-canonical) field with a `format` or `timezone` and no `type` stays text, so the "
     "format and time zone have no effect.", "add type: timestamp (or date)"),
    ("W003", "skip-rules-unknown", "skip_rules names no rule", "skip_rules names no rule: {rule!r}",
     "An entry of `skip_rules:` is not the id of any rule of the configured packs (a typo, or a rule "
     "that was renamed)."),
)

SCORE = area(
    "Q", "Scoring (`recon score`)",
    "`recon score` compares a run's exceptions with a sample's answer key.",
    "ScoreInputError",
    ("Q001", "score-file-not-found", "File not found", "{what} not found",
     "The truth file or the exceptions file does not exist."),
    ("Q002", "score-file-is-folder", "Folder instead of a file", "{what} is a directory, not a CSV file",
     "A folder was given where a CSV file is expected."),
    ("Q003", "score-file-empty", "Empty file", "{what} is empty (not even a header row)",
     "The CSV file is empty."),
    ("Q004", "score-file-not-csv", "Not CSV", "{what} cannot be read as CSV: {reason}",
     "The file does not parse as CSV."),
    ("Q005", "score-type-column-missing", "No type column", "{what} has no {column} column (columns: {present})",
     "The CSV lacks the exception type column that scoring groups by."),
)

AREAS: tuple[Area, ...] = (CONFIG, YAML_LIMITS, RULES, INPUT, OUTPUTS, STATE, LOCKS, ACKS, EMAIL, ENGINE, USAGE,
                           COVERAGE, SCORE, ENVIRONMENT, INTERNAL)
