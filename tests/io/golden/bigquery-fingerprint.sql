SELECT
  COUNT(*) AS `rows`,
  COUNTIF(COALESCE(NOT (
    `t1`.`purchased` IS NULL
  ), FALSE)) AS `m0_present`,
  SUM(
    IF(
      `t1`.`__relevance_number_0` IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(ABS(`t1`.`__relevance_number_0`)) AS INT64) AS NUMERIC) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(`t1`.`__relevance_number_0`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_0`)) AS INT64)
          ) * 1000000000000
        ) AS INT64) + IF(
          (
            (
              (
                ABS(`t1`.`__relevance_number_0`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_0`)) AS INT64)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(`t1`.`__relevance_number_0`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_0`)) AS INT64)
              ) * 1000000000000
            ) AS INT64)
          ) >= 0.5,
          1,
          0
        ) AS NUMERIC)
      ) * IF(`t1`.`__relevance_number_0` < 0, -1, 1),
      CAST(NULL AS NUMERIC)
    )
  ) AS `m0_sum`,
  COUNTIF(
    COALESCE(
      NOT (
        (
          `t1`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t1`.`revenue`), FALSE)
        )
      ),
      FALSE
    )
  ) AS `m1_present`,
  SUM(
    IF(
      `t1`.`__relevance_number_1` IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(ABS(`t1`.`__relevance_number_1`)) AS INT64) AS NUMERIC) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(`t1`.`__relevance_number_1`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_1`)) AS INT64)
          ) * 1000000000000
        ) AS INT64) + IF(
          (
            (
              (
                ABS(`t1`.`__relevance_number_1`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_1`)) AS INT64)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(`t1`.`__relevance_number_1`) - CAST(FLOOR(ABS(`t1`.`__relevance_number_1`)) AS INT64)
              ) * 1000000000000
            ) AS INT64)
          ) >= 0.5,
          1,
          0
        ) AS NUMERIC)
      ) * IF(`t1`.`__relevance_number_1` < 0, -1, 1),
      CAST(NULL AS NUMERIC)
    )
  ) AS `m1_sum`
FROM (
  SELECT
    `t0`.`customer_id`,
    `t0`.`arm`,
    `t0`.`customer's lifecycle stage`,
    `t0`.`emails_prior_7d`,
    `t0`.`sent`,
    `t0`.`purchased`,
    `t0`.`revenue`,
    CASE
      WHEN COALESCE(
        REGEXP_CONTAINS(`t0`.`purchased`, '^[ \t\r\n]*(?:[Tt][Rr][Uu][Ee]|[Tt])[ \t\r\n]*$'),
        FALSE
      )
      THEN 1.0
      WHEN COALESCE(
        REGEXP_CONTAINS(`t0`.`purchased`, '^[ \t\r\n]*(?:[Ff][Aa][Ll][Ss][Ee]|[Ff])[ \t\r\n]*$'),
        FALSE
      )
      THEN 0.0
      ELSE CASE
        WHEN COALESCE(
          (
            LENGTH(`t0`.`purchased`) <= 64
          )
          AND REGEXP_CONTAINS(
            `t0`.`purchased`,
            '^[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?$'
          ),
          FALSE
        )
        THEN CAST(`t0`.`purchased` AS FLOAT64)
        WHEN COALESCE(
          (
            LENGTH(`t0`.`purchased`) <= 64
          )
          AND REGEXP_CONTAINS(
            `t0`.`purchased`,
            '^[ \t\r\n]*[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
          ),
          FALSE
        )
        THEN CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64)
        ELSE CAST(NULL AS FLOAT64)
      END
    END AS `__relevance_number_0`,
    IF(
      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
      `t0`.`revenue`,
      CAST(NULL AS FLOAT64)
    ) AS `__relevance_number_1`
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS `t0`
) AS `t1`
