"""X12 on Spark: files parsed by recon's X12 parser on the executors, then loaded like any source.

One task per file (`mapInArrow` over a list of paths): each task parses its file with
`recon.load.x12.parse_x12_files` and yields one wide, all-text row per entity row plus JSON
rows for the file summaries and findings. The driver collects only those (small) JSON rows;
each entity's rows go through the same mapping as a CSV source (`SparkLoader.insert_mapped`),
and a rejected set becomes a reject of edi_documents, as in `recon.load.edi`.

`SparkX12` is a mixin of `recon.spark.load.SparkLoader`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon import files as filesys
from recon.config import Project, Source
from recon.config.schema import ColumnSpec
from recon.errors import Problem
from recon.load.edi import FINDING_FIELDS, FINDINGS, PASSTHROUGH, rejected_documents
from recon.load.edifact import EdifactOptions
from recon.load.loader import FileLoad, LoadReport
from recon.load.x12 import COLUMNS, LINEAGE, Finding, X12Options, parse_x12_files
from recon.model import ENTITIES
from recon.spark.readers import COUNTED, bq

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

REJECT_SCHEMA = "_source_row BIGINT, field STRING, raw_value STRING, reason STRING"


class SparkX12:
    """`load_x12` of `SparkLoader` (the loader's `insert_mapped` and `empty_table` do the rest)."""

    spark: SparkSession
    project: Project
    work_dir: Path
    parallel: int
    progress: Any
    _name: Callable[[str], str]
    no_parse_problem: list[Any]
    insert_mapped: Callable[..., None]
    empty_table: Callable[..., None]
    add_table_part: Callable[[str, str, str | None], None]
    load_id: Callable[[str], str]

    def load_x12(self, name: str, source: Source, paths: list[Path], report: LoadReport) -> Iterator[FileLoad]:
        """`recon.load.edi.load_x12_source`, with the files parsed on the executors, one task per file."""
        return self._load_edi(name, source, paths, report, "x12", source.x12 or {}, None)

    def load_edifact(self, name: str, source: Source, paths: list[Path], report: LoadReport) -> Iterator[FileLoad]:
        """`recon.load.edi.load_edifact_source` on Spark: the same parser per file, with the `edifact:` options."""
        edifact = EdifactOptions.model_validate(getattr(source, "edifact", None) or {})
        x12 = {"our_ids": edifact.our_ids, "max_file_mb": edifact.max_file_mb,
               "partners": {k: v.model_dump() for k, v in edifact.partners.items()}}
        return self._load_edi(name, source, paths, report, "edifact", x12, edifact.model_dump())

    def _load_edi(self, name: str, source: Source, paths: list[Path], report: LoadReport, fmt: str,
                  x12: dict[str, Any], edifact: dict[str, Any] | None) -> Iterator[FileLoad]:
        root = self.project.root
        if self.progress:
            self.progress(name, source.path, 0, len(paths))
        started = time.perf_counter()
        parsed = self._parse_x12(paths, [filesys.display_path(p, root) for p in paths], x12, edifact)
        from pyspark.sql import functions as F

        groups = parsed.groupBy("_entity").agg(F.count("*").alias("n"), F.collect_list("_json").alias("j")).collect()
        sizes = {r["_entity"]: r["n"] for r in groups}
        meta = {r["_entity"]: r["j"] for r in groups}
        summaries = [json.loads(j) for j in meta.get("_file", [])]
        findings = [Finding(**json.loads(j)) for j in meta.get("_finding", [])]
        for summary in summaries:
            if not summary["readable"]:
                load = FileLoad(name, source.system, "edi_documents", summary["path"], fmt, status="failed",
                                problem=Problem.of("I006", reason=summary.get("error") or "not an EDI file",
                                                   file=summary["path"]))
                report.files.append(load)
                yield load
        report.findings.extend(f.to_dict() for f in findings)
        report.source_files[name] = len(summaries)
        findings_load = self._load_findings(name, source, findings)
        findings_load.seconds = time.perf_counter() - started  # the shared parse, as on DuckDB (load/edi.py)
        report.files.append(findings_load)
        yield findings_load
        rejected = rejected_documents(findings)

        def one(entity: str) -> FileLoad:
            started = time.perf_counter()
            load = FileLoad(name, source.system, entity, source.path, fmt)
            names = [*COLUMNS[entity], *LINEAGE]
            fields = [c for c in names if not c.startswith("_")]
            entity_source = source.model_copy(update={"entity": entity,
                                                      "columns": {f: ColumnSpec(column=f) for f in fields}})
            raw, rejects = self._name("raw"), self._name("parse_rejects")
            rows = parsed.where(F.col("_entity") == entity).select(
                *(F.col(c).cast("bigint").alias(c) if c == "_source_row" else F.col(c) for c in names),
                *self.no_parse_problem)
            rows.createOrReplaceTempView(raw)
            reject_rows: list[tuple[Any, ...]] = rejected if entity == "edi_documents" else []
            passthrough = {c: t for c, t in PASSTHROUGH.items() if c in names}
            if not sizes.get(entity) and not reject_rows:  # nothing arrived: an empty table, no Spark job
                self.empty_table(entity_source, load, passthrough)
            else:
                if reject_rows:
                    self.spark.createDataFrame(reject_rows, REJECT_SCHEMA).createOrReplaceTempView(rejects)
                self.insert_mapped(load, entity_source, raw, rejects if reject_rows else None, COUNTED, passthrough)
            load.seconds = time.perf_counter() - started
            return load

        # Entities are independent tables: load them concurrently, report them in name order.
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            loads = list(pool.map(one, [e for e in sorted(COLUMNS) if e in ENTITIES]))
        for load in loads:
            report.files.append(load)
            yield load

    def _load_findings(self, name: str, source: Source, findings: list[Finding]) -> FileLoad:
        """`recon.load.edi.load_findings` on Spark: the (few) findings as one Parquet part of `edi_findings`."""
        load = FileLoad(name, source.system, FINDINGS, source.path, "x12")
        if not findings:
            self.add_table_part(source.system, FINDINGS, None)
            return load
        load_id = self.load_id(name)
        rows = [(*(getattr(f, c) for c in FINDING_FIELDS), load_id, f.file, f.segment_position)
                for f in sorted(findings, key=lambda f: (f.file, f.segment_position or 0, f.code))]
        schema = ", ".join([*(f"{bq(c)} {'BIGINT' if c == 'segment_position' else 'STRING'}" for c in FINDING_FIELDS),
                            "_load_id STRING", "_source_file STRING", "_source_row BIGINT"])
        part = self.work_dir / "tables" / f"{source.system}.{FINDINGS}" / f"part{self._name('findings')}"
        self.spark.createDataFrame(rows, schema).coalesce(1).write.mode("overwrite").parquet(str(part))
        self.add_table_part(source.system, FINDINGS, str(part))
        return load

    def _parse_x12(self, paths: list[Path], displays: list[str], options: dict[str, Any],
                   edifact: dict[str, Any] | None = None) -> DataFrame:
        """One row per parsed entity row (wide, all text), plus `_file` and `_finding` rows as JSON."""
        columns = sorted({c for e in COLUMNS for c in (*COLUMNS[e], *LINEAGE)} - {"_source_row"})
        schema = ", ".join(["_entity STRING", "_json STRING", "_source_row BIGINT",
                            *(f"{bq(c)} STRING" for c in columns)])
        # Absolute: an executor opens the file from its own working folder, not the driver's.
        files = self.spark.createDataFrame([(str(p.absolute()), d) for p, d in zip(paths, displays, strict=True)],
                                           "path STRING, display STRING")
        files = files.repartition(max(1, min(len(paths), self.spark.sparkContext.defaultParallelism)))
        out = str(self.work_dir / "x12" / f"part{self._name('x12')}")
        files.mapInArrow(_x12_batches(options, columns, edifact), schema).write.mode("overwrite").parquet(out)
        return self.spark.read.schema(schema).parquet(out)  # the schema given: no job to infer it


def _x12_batches(options: dict[str, Any], columns: list[str], edifact: dict[str, Any] | None = None) -> Any:
    """The mapInArrow function: parse each file of the batch with recon's EDI parser (on an executor)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        parsed_options = X12Options.model_validate(options)
        parsed_edifact = EdifactOptions.model_validate(edifact) if edifact is not None else None
        names = ["_entity", "_json", "_source_row", *columns]
        for batch in batches:
            for path, display in zip(batch.column("path").to_pylist(), batch.column("display").to_pylist(),
                                     strict=True):
                result = parse_x12_files([Path(path)], parsed_options, {Path(path): display}, edifact=parsed_edifact)
                meta = [("_file", json.dumps(f.to_dict(), default=str)) for f in result.files]
                meta += [("_finding", json.dumps(f.to_dict(), default=str)) for f in result.findings]
                yield pa.RecordBatch.from_arrays(
                    [pa.array([m[0] for m in meta], pa.string()), pa.array([m[1] for m in meta], pa.string()),
                     pa.nulls(len(meta), pa.int64()), *(pa.nulls(len(meta), pa.string()) for _ in columns)],
                    names=names)
                for entity, table in result.tables.items():
                    n = table.num_rows
                    if not n:
                        continue
                    arrays = [pa.array([entity] * n, pa.string()), pa.nulls(n, pa.string()),
                              table.column("_source_row").cast(pa.int64()).combine_chunks()]
                    arrays += [table.column(c).cast(pa.string()).combine_chunks() if c in table.column_names
                               else pa.nulls(n, pa.string()) for c in columns]
                    yield pa.RecordBatch.from_arrays(arrays, names=names)

    return run

