SELECT
  COUNT(*) AS `total_rows`,
  COUNTIF(`t1`.`arm` = 'holdout') AS `holdout_rows`,
  COUNTIF(COALESCE(`t1`.`customer_id` IS NULL, FALSE)) AS `unit_missing_count`,
  COUNTIF(
    COALESCE((
      `t1`.`arm` = 'holdout'
    ) AND COALESCE(`t1`.`__relevance_sent`, FALSE), FALSE)
  ) AS `holdout_sent_count`,
  MIN(
    IF(
      (
        `t1`.`arm` = 'holdout'
      ) AND COALESCE(`t1`.`__relevance_sent`, FALSE),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `holdout_sent_unit`,
  COUNTIF(
    COALESCE(NOT (
      `t1`.`sent` IS NULL
    ) AND (
      `t1`.`__relevance_sent` IS NULL
    ), FALSE)
  ) AS `sent_invalid_count`,
  MIN(
    IF(
      NOT (
        `t1`.`sent` IS NULL
      ) AND (
        `t1`.`__relevance_sent` IS NULL
      ),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `sent_invalid_unit`,
  COUNTIF(COALESCE(`t1`.`purchased` IS NULL, FALSE)) AS `m0_missing_count`,
  MIN(IF(`t1`.`purchased` IS NULL, `t1`.`customer_id`, NULL)) AS `m0_missing_unit`,
  COUNTIF(
    COALESCE(
      NOT (
        `t1`.`purchased` IS NULL
      ) AND (
        `t1`.`__relevance_number_0` IS NULL
      ),
      FALSE
    )
  ) AS `m0_invalid_count`,
  MIN(
    IF(
      NOT (
        `t1`.`purchased` IS NULL
      ) AND (
        `t1`.`__relevance_number_0` IS NULL
      ),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `m0_invalid_unit`,
  COUNTIF(
    COALESCE(
      (
        `t1`.`__relevance_number_0` IS NOT NULL
      )
      AND NOT (
        `t1`.`__relevance_number_0` IN (0.0, 1.0)
      ),
      FALSE
    )
  ) AS `m0_nonbinary_count`,
  MIN(
    IF(
      (
        `t1`.`__relevance_number_0` IS NOT NULL
      )
      AND NOT (
        `t1`.`__relevance_number_0` IN (0.0, 1.0)
      ),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `m0_nonbinary_unit`,
  COUNTIF(
    COALESCE(
      (
        `t1`.`revenue` IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN(`t1`.`revenue`), FALSE)
      ),
      FALSE
    )
  ) AS `m1_missing_count`,
  MIN(
    IF(
      (
        `t1`.`revenue` IS NULL
      )
      AND NOT (
        COALESCE(IS_NAN(`t1`.`revenue`), FALSE)
      ),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `m1_missing_unit`,
  COUNTIF(
    COALESCE(
      NOT (
        (
          `t1`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t1`.`revenue`), FALSE)
        )
      )
      AND (
        `t1`.`__relevance_number_1` IS NULL
      ),
      FALSE
    )
  ) AS `m1_invalid_count`,
  MIN(
    IF(
      NOT (
        (
          `t1`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t1`.`revenue`), FALSE)
        )
      )
      AND (
        `t1`.`__relevance_number_1` IS NULL
      ),
      `t1`.`customer_id`,
      NULL
    )
  ) AS `m1_invalid_unit`,
  COUNTIF(COALESCE(COALESCE(`t1`.`__relevance_number_1` < 0, FALSE), FALSE)) AS `m1_negative_count`,
  MIN(IF(COALESCE(`t1`.`__relevance_number_1` < 0, FALSE), `t1`.`customer_id`, NULL)) AS `m1_negative_unit`
FROM (
  SELECT
    `t0`.`customer_id`,
    `t0`.`arm`,
    `t0`.`customer's lifecycle stage`,
    `t0`.`emails_prior_7d`,
    `t0`.`sent`,
    `t0`.`purchased`,
    `t0`.`revenue`,
    `t0`.`sent` AS `__relevance_sent`,
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
