WITH
"uom_conv" AS (
  SELECT item_id, from_uom, to_uom, CASE WHEN min(factor) = max(factor) THEN min(factor) END AS factor
  FROM (SELECT trim(CAST(item_id AS VARCHAR)) AS item_id, (CASE nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(from_uom AS VARCHAR))), '') END) AS from_uom, (CASE nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(to_uom AS VARCHAR))), '') END) AS to_uom, CAST(factor AS DECIMAL(24,10)) AS factor FROM (
    SELECT CAST(NULL AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "from_uom", CAST(NULL AS VARCHAR) AS "to_uom", CAST(NULL AS DECIMAL(24,10)) AS "factor" WHERE FALSE
  ) AS c
  WHERE factor > 0) AS n
  GROUP BY item_id, from_uom, to_uom
),
"uom_base" AS (
  SELECT item_id, CASE WHEN count(DISTINCT to_uom) = 1 THEN min(to_uom) END AS base
  FROM "uom_conv" WHERE item_id <> '*' GROUP BY item_id
),
"l_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) AS "qty", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT c.*, coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT b.*, trim(CAST("item_id" AS VARCHAR)) AS "_uom_item", (CASE nullif(upper(trim(CAST("uom" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST("uom" AS VARCHAR))), '') END) AS "_uom_code" FROM "edi"."order_lines" AS b) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS t
  WHERE "transaction_set" = '940'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("order_id" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__order_id", "item_id" AS "k__item_id", "currency", CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) AS "qty", "site", CAST(CAST("unit_price" AS DECIMAL(18,6)) / "_uom_factor" AS DECIMAL(18,6)) AS "unit_price", "_uom", CAST("released_at" AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row"
  FROM (SELECT c.*, coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT b.*, trim(CAST("item_id" AS VARCHAR)) AS "_uom_item", (CASE nullif(upper(trim(CAST("uom" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST("uom" AS VARCHAR))), '') END) AS "_uom_code" FROM (SELECT b.*, lk0."released_at" AS "released_at" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("released_at") AS "released_at" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS b) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS t
  WHERE COALESCE("status", '') <> 'CANCELLED' AND NOT "released_at" IS NULL
),
"l_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "l_rows" GROUP BY "k__order_id", "k__item_id"
),
"r_side" AS (
  SELECT "k__order_id", "k__item_id", sum("qty") AS "qty", max("unit_price") AS "unit_price", min("currency") AS "currency", min("site") AS "site", CASE WHEN min("_uom") = max("_uom") THEN min("_uom") ELSE min("_uom") || '+' || max("_uom") END AS "_uom", min("_event") AS "_event", TRUE AS "_here"
  FROM "r_rows" GROUP BY "k__order_id", "k__item_id"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0" FROM (
  SELECT coalesce(l."k__order_id", r."k__order_id") AS "k__order_id", coalesce(l."k__item_id", r."k__item_id") AS "k__item_id", l."qty" AS "l__qty", l."_event" AS "l___event", l."_here" AS "l___here", l."_uom" AS "l___uom", r."currency" AS "r__currency", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_uom" AS "r___uom", FALSE AS "_ambiguous"
  FROM "l_side" AS l FULL OUTER JOIN "r_side" AS r ON l."k__order_id" IS NOT DISTINCT FROM r."k__order_id" AND l."k__item_id" IS NOT DISTINCT FROM r."k__item_id"
  ) AS p
),
"findings" AS (
  SELECT 0 AS "_outcome", 'warehouse-order-not-released' AS exception_type, 'high' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("k__order_id" AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(NULL AS DECIMAL(18,2)) AS value_at_risk, CAST('USD' AS VARCHAR) AS currency, CAST("r___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE
  UNION ALL
  SELECT 1 AS "_outcome", 'uom-not-convertible' AS exception_type, 'medium' AS severity, 'master-data' AS owner, 'edi' AS fix_in, CAST(NULL AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST(NULL AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('uom' AS VARCHAR) AS field, CAST("l___uom" AS VARCHAR) AS left_value, CAST("r___uom" AS VARCHAR) AS right_value, CAST(NULL AS DECIMAL(18,4)) AS difference, CAST(NULL AS DECIMAL(18,2)) AS value_at_risk, CAST('USD' AS VARCHAR) AS currency, CAST("r___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE coalesce("l___uom" <> "r___uom", FALSE) AND TRUE
  UNION ALL
  SELECT 2 AS "_outcome", 'warehouse-order-qty-mismatch' AS exception_type, 'high' AS severity, 'operations' AS owner, 'edi' AS fix_in, CAST("k__order_id" AS VARCHAR) AS "order_id", CAST(NULL AS VARCHAR) AS "line_no", CAST(NULL AS VARCHAR) AS "shipment_id", CAST(NULL AS VARCHAR) AS "invoice_id", CAST("k__item_id" AS VARCHAR) AS "item_id", CAST("r__site" AS VARCHAR) AS "site", CAST(NULL AS VARCHAR) AS "lot", CAST(NULL AS VARCHAR) AS "customer_id", CAST(NULL AS VARCHAR) AS "customer_po", CAST(NULL AS VARCHAR) AS "document", CAST('qty' AS VARCHAR) AS field, CAST(regexp_replace(CAST(CAST("l__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS left_value, CAST(regexp_replace(CAST(CAST("r__qty" AS DECIMAL(38,4)) AS VARCHAR), '\.?0+$', '') AS VARCHAR) AS right_value, CAST(CAST(("l__qty") - ("r__qty") AS DECIMAL(18,4)) AS DECIMAL(18,4)) AS difference, CAST(round(ABS("l__qty" - "r__qty") * "r__unit_price", 2) AS DECIMAL(18,2)) AS value_at_risk, CAST("r__currency" AS VARCHAR) AS currency, CAST("r___event" AS TIMESTAMPTZ) AS event_at, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND NOT (coalesce("l___uom" <> "r___uom", FALSE)) AND TRUE
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
    SELECT 'warehouse-order-not-released' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "l___here" UNION ALL SELECT 'uom-not-convertible' AS exception_type, coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE coalesce("l___uom" <> "r___uom", FALSE) AND TRUE AND "l___here" UNION ALL SELECT 'warehouse-order-qty-mismatch' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND NOT (coalesce("l___uom" <> "r___uom", FALSE)) AND TRUE AND "l___here"
  ) AS w
),
"lineage_left" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS left_rows
  FROM "lineage_left_keys" AS f
  JOIN (SELECT * FROM "l_rows" WHERE "k__order_id" IN (SELECT "_k0" FROM "lineage_left_keys") OR "k__order_id" IS NULL) AS x ON x."k__order_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"lineage_right_keys" AS (
  SELECT DISTINCT * FROM (
    SELECT 'warehouse-order-not-released' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NULL AND TRUE AND "r___here" UNION ALL SELECT 'uom-not-convertible' AS exception_type, coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE coalesce("l___uom" <> "r___uom", FALSE) AND TRUE AND "r___here" UNION ALL SELECT 'warehouse-order-qty-mismatch' AS exception_type, coalesce(CAST("k__order_id" AS VARCHAR), '') || '|' || coalesce(CAST("k__item_id" AS VARCHAR), '') AS "_key", "k__order_id" AS "_k0", "k__item_id" AS "_k1" FROM "pairs" WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND NOT "_ok0" AND NOT (coalesce("l___uom" <> "r___uom", FALSE)) AND TRUE AND "r___here"
  ) AS w
),
"lineage_right" AS (
  SELECT f.exception_type, f."_key", list_sort(list_distinct(list(x."_row"))) AS right_rows
  FROM "lineage_right_keys" AS f
  JOIN (SELECT * FROM "r_rows" WHERE "k__order_id" IN (SELECT "_k0" FROM "lineage_right_keys") OR "k__order_id" IS NULL) AS x ON x."k__order_id" IS NOT DISTINCT FROM f."_k0" AND x."k__item_id" IS NOT DISTINCT FROM f."_k1"
  GROUP BY f.exception_type, f."_key"
),
"found_rows" AS (
  SELECT found.*, "lineage_left".left_rows, "lineage_right".right_rows
  FROM found LEFT JOIN "lineage_left" ON "lineage_left".exception_type = found.exception_type AND "lineage_left"."_key" = found."_key" LEFT JOIN "lineage_right" ON "lineage_right".exception_type = found.exception_type AND "lineage_right"."_key" = found."_key"
),
"final" AS (
  SELECT $run_id AS run_id, left(sha256('warehouse-order-matches-release' || '|' || exception_type || '|' || "_key"), 16) AS exception_id, 'warehouse-order-matches-release' AS rule_id, 'edi' AS workflow, exception_type, severity, owner, fix_in, "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", field, left_value, right_value, difference, value_at_risk, currency, CAST($as_of AS TIMESTAMPTZ) AS as_of, event_at, CAST(round(date_diff('second', CAST(event_at AS TIMESTAMPTZ), CAST(CAST($as_of AS TIMESTAMPTZ) AS TIMESTAMPTZ)) / 3600.0, 1) AS DECIMAL(12,1)) AS age_hours, "_outcome", "_n", left_rows, right_rows
  FROM found_rows
)
SELECT "run_id", "exception_id", "rule_id", "workflow", "exception_type", "severity", "owner", "fix_in", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po", "document", "field", "left_value", "right_value", "difference", "value_at_risk", "currency", "as_of", "event_at", "age_hours", CASE "_outcome" WHEN 0 THEN 'order ' || coalesce(CAST("order_id" AS VARCHAR), '-') || ' item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': our 940 asks the warehouse to ship it, the ERP has no released open line for it' WHEN 1 THEN 'item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': our 940 orders in ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP released in ' || coalesce(CAST("right_value" AS VARCHAR), '-') || ', and no conversion between them' WHEN 2 THEN 'order ' || coalesce(CAST("order_id" AS VARCHAR), '-') || ' item ' || coalesce(CAST("item_id" AS VARCHAR), '-') || ': our 940 asks the warehouse for ' || coalesce(CAST("left_value" AS VARCHAR), '-') || ', the ERP released ' || coalesce(CAST("right_value" AS VARCHAR), '-') END AS message, CASE WHEN left_rows IS NULL OR len(left_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(left_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(left_rows) > 10 THEN ';…(+' || CAST(len(left_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS left_lineage, CASE WHEN right_rows IS NULL OR len(right_rows) = 0 THEN NULL ELSE array_to_string(list_transform(list_slice(right_rows, 1, 10), lambda e: e.f || ':' || e.r), ';') || CASE WHEN len(right_rows) > 10 THEN ';…(+' || CAST(len(right_rows) - 10 AS VARCHAR) || ')' ELSE '' END END AS right_lineage
FROM final
