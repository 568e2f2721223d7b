SELECT CAST(coalesce(sum("_n"), 0) AS BIGINT) AS records_compared, CAST(coalesce(sum("_n") FILTER (WHERE "_ok"), 0) AS BIGINT) AS records_matched
FROM (
  SELECT 1 AS "_n", coalesce((FALSE), FALSE) AS "_ok"
  FROM "edi"."edi_findings" AS t
  WHERE ("severity" <> 'error' AND NOT "code" IN ('X12-SET-NOT-MAPPED', 'EDIFACT-MESSAGE-NOT-MAPPED'))
) AS checked
