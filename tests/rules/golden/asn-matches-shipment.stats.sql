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
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", "l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL
) AS checked
