WITH
"l_rows" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "qty", CAST("invoiced_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM "edi"."invoice_lines" AS t
),
"r_rows" AS (
  SELECT "invoice_id" AS "k__invoice_id", "line_no" AS "k__line_no", "amount", "currency", "qty", "site", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."site" AS "site" FROM "erp"."invoice_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("site") AS "site" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."order_line_no") AS t
  QUALIFY row_number() OVER (PARTITION BY "invoice_id", "line_no" ORDER BY "amount", "currency", "qty", "site", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR))) = 1
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0", ((("l__amount") IS NULL AND ("r__amount") IS NULL) OR (("l__amount") IS NOT NULL AND ("r__amount") IS NOT NULL AND (abs(("l__amount") - ("r__amount")) <= 0.01))) AS "_ok1" FROM (
  SELECT coalesce(l."k__invoice_id", r."k__invoice_id") AS "k__invoice_id", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."amount" AS "l__amount", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_row" AS "l___row", r."amount" AS "r__amount", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."_event" AS "r___event", r."_here" AS "r___here", r."_row" AS "r___row", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__invoice_id" IS NOT DISTINCT FROM r."k__invoice_id" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'edi-invoice-mismatch' AS exception_type, 'high' AS severity, 'finance' AS owner, 'edi' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST("k__invoice_id" AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__qty") - ("r__qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__amount" - "r__amount"), 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__invoice_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'edi-invoice-mismatch' AS exception_type, 'high' AS severity, 'finance' AS owner, 'edi' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST("k__invoice_id" AS VARCHAR) AS "invoice_id", CAST(NULL AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('amount' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__amount" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__amount" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__amount") - ("r__amount") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__amount" - "r__amount"), 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, CAST("l___row" AS STRUCT(f VARCHAR, r BIGINT)) AS left_rows, CAST("r___row" AS STRUCT(f VARCHAR, r BIGINT)) AS right_rows, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__invoice_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok1" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, list_distinct(list(left_rows)) AS left_rows, list_distinct(list(right_rows)) AS right_rows, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, list_sort(list_distinct(flatten(list(left_rows)))) AS left_rows, list_sort(list_distinct(flatten(list(right_rows)))) AS right_rows, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('edi-invoice-matches-erp' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'edi-invoice-matches-erp' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'invoice ' || coalesce(CAST("invoice_id" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': the 810 differs from the ERP invoice in ' || coalesce(CAST("field" AS VARCHAR), '-') || ' (' || coalesce(CAST("left_value" AS VARCHAR), '-') || ' vs ' || coalesce(CAST("right_value" AS VARCHAR), '-') || ')' WHEN 1 THEN 'invoice ' || coalesce(CAST("invoice_id" AS VARCHAR), '-') || ' line ' || coalesce(CAST("line_no" AS VARCHAR), '-') || ': the 810 differs from the ERP invoice in ' || coalesce(CAST("field" AS VARCHAR), '-') || ' (' || coalesce(CAST("left_value" AS VARCHAR), '-') || ' vs ' || coalesce(CAST("right_value" AS VARCHAR), '-') || ')' END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
