WITH
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "item_id" AS "k__item_id", NULLIF(upper(trim(CAST(CASE WHEN "names_lines" THEN "customer_po" END AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", NULLIF(CASE WHEN trim(CAST(CASE WHEN "names_lines" THEN CAST("order_line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST(CASE WHEN "names_lines" THEN CAST("order_line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST(CASE WHEN "names_lines" THEN CAST("order_line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AS "k__line_no", "qty", "site", CAST("shipped_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."names_lines" AS "names_lines" FROM "edi"."shipment_lines" AS b LEFT JOIN (SELECT "shipment_id", BOOL_AND(CAST(NOT "order_line_no" IS NULL AND NOT "customer_po" IS NULL AS BOOLEAN)) AS "names_lines" FROM "edi"."shipment_lines" WHERE COALESCE("transaction_set", '856') <> '945' GROUP BY "shipment_id") AS lk0 ON lk0."shipment_id" IS NOT DISTINCT FROM b."shipment_id") AS t
  WHERE COALESCE("transaction_set", '856') <> '945'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__shipment_id", "item_id" AS "k__item_id", NULLIF(upper(trim(CAST(CASE WHEN "asn_names_lines" THEN "customer_po" END AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", NULLIF(CASE WHEN trim(CAST(CASE WHEN "asn_names_lines" THEN CAST("line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)) <> '' AND ltrim(trim(CAST(CASE WHEN "asn_names_lines" THEN CAST("line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)), '0') = '' THEN '0' ELSE ltrim(trim(CAST(CASE WHEN "asn_names_lines" THEN CAST("line_no" AS TEXT) END AS VARCHAR), ' 	
' || chr(160)), '0') END, '') AS "k__line_no", "currency", "order_id", "qty", "site", "unit_price", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT b.*, lk0."unit_price" AS "unit_price", lk0."currency" AS "currency", lk1."customer_po" AS "customer_po", lk2."asn_names_lines" AS "asn_names_lines" FROM "wms"."shipment_lines" AS b LEFT JOIN (SELECT "order_id", "line_no", min("unit_price") AS "unit_price", min("currency") AS "currency" FROM "erp"."order_lines" GROUP BY "order_id", "line_no") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."line_no" IS NOT DISTINCT FROM b."line_no" LEFT JOIN (SELECT "order_id", min("customer_po") AS "customer_po" FROM "erp"."orders" GROUP BY "order_id") AS lk1 ON lk1."order_id" IS NOT DISTINCT FROM b."order_id" LEFT JOIN (SELECT NULLIF(upper(trim(CAST("shipment_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "shipment_id", BOOL_AND(CAST(NOT "order_line_no" IS NULL AND NOT "customer_po" IS NULL AS BOOLEAN)) AS "asn_names_lines" FROM "edi"."shipment_lines" WHERE COALESCE("transaction_set", '856') <> '945' GROUP BY 1) AS lk2 ON lk2."shipment_id" IS NOT DISTINCT FROM NULLIF(upper(trim(CAST(b."shipment_id" AS VARCHAR), ' 	
' || chr(160))), '')) AS t
  WHERE ARRAY_CONTAINS(STR_SPLIT('SHIPPED', ','), "status")
),
"l_side" AS (
  SELECT "k__shipment_id", "k__item_id", "k__customer_po", "k__line_no", sum("qty") AS "qty", min("site") AS "site", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__shipment_id", "k__item_id", "k__customer_po", "k__line_no"
),
"r_side" AS (
  SELECT "k__shipment_id", "k__item_id", "k__customer_po", "k__line_no", sum("qty") AS "qty", min("site") AS "site", max("unit_price") AS "unit_price", min("currency") AS "currency", min("order_id") AS "order_id", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__shipment_id", "k__item_id", "k__customer_po", "k__line_no"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__shipment_id", r."k__shipment_id") AS "k__shipment_id", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", coalesce(l."k__customer_po", r."k__customer_po") AS "k__customer_po", coalesce(l."k__line_no", r."k__line_no") AS "k__line_no", l."qty" AS "l__qty", l."site" AS "l__site", l."_event" AS "l___event", l."_here" AS "l___here", r."currency" AS "r__currency", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__shipment_id" IS NOT DISTINCT FROM r."k__shipment_id" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id" AND l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'asn-qty-mismatch' AS exception_type, 'medium' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("r__order_id" AS VARCHAR) AS "order_id", CAST("k__line_no" AS VARCHAR) AS "line_no", CAST("k__shipment_id" AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST(COALESCE("r__site", "l__site") AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST("k__customer_po" AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__qty") - ("r__qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__qty" - "r__qty") * "r__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("l___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__shipment_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE
),
"per_outcome" AS (
  SELECT "_outcome", exception_type, severity, owner, fix_in, "_key", field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(left_value) AS left_value, min(right_value) AS right_value, sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, min(event_at) AS event_at, count(*) AS "_n"
  FROM findings GROUP BY "_outcome", exception_type, severity, owner, fix_in, "_key", field
),
"found" AS (
  SELECT min("_outcome") AS "_outcome", exception_type, "_key", first(severity ORDER BY "_outcome") AS severity, first(owner ORDER BY "_outcome") AS owner, first(fix_in ORDER BY "_outcome") AS fix_in, first(left_value ORDER BY "_outcome") AS left_value, first(right_value ORDER BY "_outcome") AS right_value, first(difference ORDER BY "_outcome") AS difference, first(value_at_risk ORDER BY "_outcome") AS value_at_risk, first(currency ORDER BY "_outcome") AS currency, string_agg(field, ', ' ORDER BY "_outcome") AS field, min("order_id") AS "order_id", min("line_no") AS "line_no", min("shipment_id") AS "shipment_id", min("invoice_id") AS "invoice_id", min("item_id") AS "item_id", min("site") AS "site", min("lot") AS "lot", min("customer_id") AS "customer_id", min("customer_po") AS "customer_po", min("document") AS "document", min(event_at) AS event_at, sum("_n") AS "_n"
  FROM per_outcome GROUP BY exception_type, "_key"
),
"lineage_left_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'asn-qty-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__shipment_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0", "k__item_id" AS "_k1", "k__customer_po" AS "_k2", "k__line_no" AS "_k3" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "l___here"
  ) AS w
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM "lineage_left_keys" AS f
  JOIN (SELECT * FROM "l_rows" WHERE "k__shipment_id" IN (SELECT "_k0" FROM "lineage_left_keys") OR "k__shipment_id" IS NULL) AS x ON x."k__shipment_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1" AND x."k__customer_po" IS NOT DISTINCT FROM f."_k2" AND x."k__line_no" IS NOT DISTINCT FROM f."_k3"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'asn-qty-mismatch' AS exception_type, coalesce(CAST("k__line_no" AS VARCHAR), '') || '|' || coalesce(CAST("k__shipment_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__customer_po" AS VARCHAR), '') AS "_key", "k__shipment_id" AS "_k0", "k__item_id" AS "_k1", "k__customer_po" AS "_k2", "k__line_no" AS "_k3" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND TRUE AND "r___here"
  ) AS w
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM "lineage_right_keys" AS f
  JOIN (SELECT * FROM "r_rows" WHERE "k__shipment_id" IN (SELECT "_k0" FROM "lineage_right_keys") OR "k__shipment_id" IS NULL) AS x ON x."k__shipment_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1" AND x."k__customer_po" IS NOT DISTINCT FROM f."_k2" AND x."k__line_no" IS NOT DISTINCT FROM f."_k3"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('asn-matches-shipment' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'asn-matches-shipment' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'shipment ' || coalesce(CAST("shipment_id" AS VARCHAR), '-') || ' item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': the ASN says ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the WMS shipped ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
