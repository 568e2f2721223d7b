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
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "customer_id", "customer_name", "item_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", CAST(CAST("unit_price" AS DECIMAL(18,6)) / "_uom_factor" AS DECIMAL(18,6)) AS "unit_price", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk0."customer_id" AS "customer_id", lk0."customer_name" AS "customer_name" FROM "edi"."order_lines" AS b LEFT JOIN (SELECT "order_id", "partner_id", min("customer_po") AS "customer_po", min("customer_id") AS "customer_id", min("customer_name") AS "customer_name" FROM "edi"."orders" GROUP BY "order_id", "partner_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id" AND lk0."partner_id" IS NOT DISTINCT FROM b."partner_id") AS b) AS r
  LEFT JOIN (SELECT c."_uom_i", c."_uom_u", coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", (CASE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') END) AS "_uom_code" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "edi"."order_lines" AS b) AS p) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
  WHERE COALESCE("transaction_set", '850') = '850'
),
"r_rows" AS (
  SELECT NULLIF(upper(trim(CAST("customer_po" AS VARCHAR), ' 	
' || chr(160))), '') AS "k__customer_po", "line_no" AS "k__line_no", "currency", "customer_id", "customer_name", "item_id", "order_id", CASE WHEN "_uom_factor" = 1 THEN CAST("qty" AS DECIMAL(18,4)) ELSE CAST(CAST("qty" AS DECIMAL(18,4)) * "_uom_factor" AS DECIMAL(18,4)) END AS "qty", "site", CAST(CAST("unit_price" AS DECIMAL(18,6)) / "_uom_factor" AS DECIMAL(18,6)) AS "unit_price", "_uom", CAST(NULL AS TIMESTAMPTZ) AS "_event", {'f': "_source_file", 'r': "_source_row"} AS "_row", ("_source_file" || ':' || CAST("_source_row" AS VARCHAR)) AS "_id"
  FROM (SELECT r.*, f."_uom_factor", f."_uom"
  FROM (SELECT b.*, CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM (SELECT b.*, lk0."customer_po" AS "customer_po", lk0."customer_id" AS "customer_id", lk0."customer_name" AS "customer_name" FROM "erp"."order_lines" AS b LEFT JOIN (SELECT "order_id", min("customer_po") AS "customer_po", min("customer_id") AS "customer_id", min("customer_name") AS "customer_name" FROM "erp"."orders" GROUP BY "order_id") AS lk0 ON lk0."order_id" IS NOT DISTINCT FROM b."order_id") AS b) AS r
  LEFT JOIN (SELECT c."_uom_i", c."_uom_u", coalesce((CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END), CAST(1 AS DECIMAL(24,10))) AS "_uom_factor", CASE WHEN (CASE WHEN c."_uom_code" = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) THEN CAST(1 AS DECIMAL(24,10)) ELSE coalesce(ui.factor, uw.factor) END) IS NULL THEN c."_uom_code" ELSE (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END) END AS "_uom"
  FROM (SELECT p.*, trim(p."_uom_i") AS "_uom_item", (CASE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') WHEN 'BOX' THEN 'BX' WHEN 'C62' THEN 'EA' WHEN 'CA' THEN 'CS' WHEN 'CASE' THEN 'CS' WHEN 'CT' THEN 'CS' WHEN 'CTN' THEN 'CS' WHEN 'DZN' THEN 'DZ' WHEN 'EACH' THEN 'EA' WHEN 'FEET' THEN 'FT' WHEN 'FOOT' THEN 'FT' WHEN 'FOT' THEN 'FT' WHEN 'GR' THEN 'G' WHEN 'GRM' THEN 'G' WHEN 'H87' THEN 'EA' WHEN 'KGM' THEN 'KG' WHEN 'KGS' THEN 'KG' WHEN 'LBR' THEN 'LB' WHEN 'LBS' THEN 'LB' WHEN 'LT' THEN 'L' WHEN 'LTR' THEN 'L' WHEN 'MR' THEN 'M' WHEN 'MTR' THEN 'M' WHEN 'PA' THEN 'PK' WHEN 'PACK' THEN 'PK' WHEN 'PAL' THEN 'PL' WHEN 'PALLET' THEN 'PL' WHEN 'PC' THEN 'EA' WHEN 'PCE' THEN 'EA' WHEN 'PF' THEN 'PL' WHEN 'PKG' THEN 'PK' WHEN 'PX' THEN 'PL' WHEN 'ST' THEN 'EA' WHEN 'UN' THEN 'EA' WHEN 'UNIT' THEN 'EA' WHEN 'YRD' THEN 'YD' ELSE nullif(upper(trim(CAST(p."_uom_u" AS VARCHAR))), '') END) AS "_uom_code" FROM (SELECT DISTINCT CAST("item_id" AS VARCHAR) AS "_uom_i", CAST("uom" AS VARCHAR) AS "_uom_u" FROM "erp"."order_lines" AS b) AS p) AS c
  LEFT JOIN "uom_base" AS ub ON ub.item_id = c."_uom_item"
  LEFT JOIN "uom_conv" AS ui ON ui.item_id = c."_uom_item" AND ui.from_uom = c."_uom_code" AND ui.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)
  LEFT JOIN "uom_conv" AS uw ON uw.item_id = '*' AND uw.from_uom = c."_uom_code" AND uw.to_uom = (CASE WHEN ub.item_id IS NULL THEN 'EA' ELSE ub.base END)) AS f ON f."_uom_i" IS NOT DISTINCT FROM r."_uom_i" AND f."_uom_u" IS NOT DISTINCT FROM r."_uom_u") AS t
),
"l_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "l_rows"
),
"r_side" AS (
  SELECT *, TRUE AS "_here"
  FROM "r_rows"
),
"cand" AS (
  SELECT l."k__customer_po" AS "k__customer_po", l."k__line_no" AS "k__line_no", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."item_id" AS "l__item_id", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_uom" AS "l___uom", l."_row" AS "l___row", r."currency" AS "r__currency", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."item_id" AS "r__item_id", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_uom" AS "r___uom", r."_row" AS "r___row"
  FROM "l_side" AS l JOIN "r_side" AS r ON l."k__customer_po" IS NOT DISTINCT FROM r."k__customer_po" AND l."k__line_no" IS NOT DISTINCT FROM r."k__line_no"
),
"cand_scored" AS (
  SELECT *, CASE WHEN NOT coalesce("_s0" IS NOT NULL, FALSE) THEN recon_rf_token_set_ratio(CAST("l__customer_name" AS VARCHAR), CAST("r__customer_name" AS VARCHAR)) END AS "_s1"
  FROM (SELECT *, CASE WHEN ("l__customer_id") IS NOT NULL AND ("l__customer_id") = ("r__customer_id") THEN 100.0 END AS "_s0"
  FROM "cand") AS "s0"
),
"c0" AS (
  SELECT *, count(*) OVER (PARTITION BY "l___id", "_level", "_score") AS "_ties_l", count(*) OVER (PARTITION BY "r___id", "_level", "_score") AS "_ties_r"
  FROM (SELECT *, CASE WHEN "_s0" IS NOT NULL THEN 1 WHEN "_s1" >= 70 THEN 2 END AS "_level", CASE WHEN "_s0" IS NOT NULL THEN "_s0" WHEN "_s1" >= 70 THEN "_s1" END AS "_score" FROM "cand_scored" WHERE "_s0" IS NOT NULL OR "_s1" >= 70) AS s
),
"l_multi" AS (
  SELECT "l___id" FROM "c0" GROUP BY "l___id" HAVING count(*) > 1
),
"r_multi" AS (
  SELECT "r___id" FROM "c0" GROUP BY "r___id" HAVING count(*) > 1
),
"m1" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___uom", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___uom", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  UNION ALL
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___uom", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___uom", "r___row", "_ties_l", "_ties_r" FROM "c0" WHERE NOT coalesce("l___id" NOT IN (SELECT "l___id" FROM "l_multi") AND "r___id" NOT IN (SELECT "r___id" FROM "r_multi"), FALSE)
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___id") = 1
),
"c1" AS (
  SELECT * FROM "c0"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m1") AND "r___id" NOT IN (SELECT "r___id" FROM "m1")
),
"m2" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___uom", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___uom", "r___row", "_ties_l", "_ties_r" FROM "c1"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___id") = 1
),
"c2" AS (
  SELECT * FROM "c1"
  WHERE "l___id" NOT IN (SELECT "l___id" FROM "m2") AND "r___id" NOT IN (SELECT "r___id" FROM "m2")
),
"m3" AS (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___uom", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___uom", "r___row", "_ties_l", "_ties_r" FROM "c2"
  QUALIFY row_number() OVER (PARTITION BY "l___id" ORDER BY "_level", "_score" DESC, "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___id") = 1 AND row_number() OVER (PARTITION BY "r___id" ORDER BY "_level", "_score" DESC, "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___id") = 1
),
"matched" AS (
  SELECT * FROM "m1"
  UNION ALL SELECT * FROM "m2"
  UNION ALL SELECT * FROM "m3"
),
"pairs" AS (
  SELECT *, ((("l__qty") IS NULL AND ("r__qty") IS NULL) OR (("l__qty") IS NOT NULL AND ("r__qty") IS NOT NULL AND (abs(("l__qty") - ("r__qty")) <= 0))) AS "_ok0", ((("l__unit_price") IS NULL AND ("r__unit_price") IS NULL) OR (("l__unit_price") IS NOT NULL AND ("r__unit_price") IS NOT NULL AND (abs(("l__unit_price") - ("r__unit_price")) <= 0.01))) AS "_ok1" FROM (
  SELECT "k__customer_po", "k__line_no", "l__customer_id", "l__customer_name", "l__item_id", "l__qty", "l__unit_price", "l___event", "l___here", "l___id", "l___uom", "l___row", "r__currency", "r__customer_id", "r__customer_name", "r__item_id", "r__order_id", "r__qty", "r__site", "r__unit_price", "r___event", "r___here", "r___id", "r___uom", "r___row", "_ties_l" > 1 OR "_ties_r" > 1 AS "_ambiguous" FROM "matched"
  UNION ALL SELECT l."k__customer_po", l."k__line_no", l."customer_id" AS "l__customer_id", l."customer_name" AS "l__customer_name", l."item_id" AS "l__item_id", l."qty" AS "l__qty", l."unit_price" AS "l__unit_price", l."_event" AS "l___event", l."_here" AS "l___here", l."_id" AS "l___id", l."_uom" AS "l___uom", l."_row" AS "l___row", CAST(NULL AS VARCHAR) AS "r__currency", CAST(NULL AS VARCHAR) AS "r__customer_id", CAST(NULL AS VARCHAR) AS "r__customer_name", CAST(NULL AS VARCHAR) AS "r__item_id", CAST(NULL AS VARCHAR) AS "r__order_id", CAST(NULL AS DECIMAL(18,4)) AS "r__qty", CAST(NULL AS VARCHAR) AS "r__site", CAST(NULL AS DECIMAL(18,4)) AS "r__unit_price", CAST(NULL AS TIMESTAMPTZ) AS "r___event", CAST(NULL AS BOOLEAN) AS "r___here", CAST(NULL AS VARCHAR) AS "r___id", CAST(NULL AS VARCHAR) AS "r___uom", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "r___row", FALSE FROM "l_side" AS l WHERE l."_id" NOT IN (SELECT "l___id" FROM "matched")
  UNION ALL SELECT r."k__customer_po", r."k__line_no", CAST(NULL AS VARCHAR) AS "l__customer_id", CAST(NULL AS VARCHAR) AS "l__customer_name", CAST(NULL AS VARCHAR) AS "l__item_id", CAST(NULL AS DECIMAL(18,4)) AS "l__qty", CAST(NULL AS DECIMAL(18,4)) AS "l__unit_price", CAST(NULL AS TIMESTAMPTZ) AS "l___event", CAST(NULL AS BOOLEAN) AS "l___here", CAST(NULL AS VARCHAR) AS "l___id", CAST(NULL AS VARCHAR) AS "l___uom", CAST(NULL AS STRUCT(f VARCHAR, r BIGINT)) AS "l___row", r."currency" AS "r__currency", r."customer_id" AS "r__customer_id", r."customer_name" AS "r__customer_name", r."item_id" AS "r__item_id", r."order_id" AS "r__order_id", r."qty" AS "r__qty", r."site" AS "r__site", r."unit_price" AS "r__unit_price", r."_event" AS "r___event", r."_here" AS "r___here", r."_id" AS "r___id", r."_uom" AS "r___uom", r."_row" AS "r___row", FALSE FROM "r_side" AS r WHERE r."_id" NOT IN (SELECT "r___id" FROM "matched")
  ) AS p
)
SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", bool_and("l___here" IS NOT NULL AND "r___here" IS NOT NULL AND "_ok0" AND "_ok1" AND NOT coalesce(coalesce("l___uom" <> "r___uom", FALSE), FALSE)) AS "_ok"
  FROM "pairs"
  WHERE "l___here" IS NOT NULL AND "r___here" IS NOT NULL
  GROUP BY "k__customer_po", "k__line_no"
) AS checked
