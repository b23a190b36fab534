SELECT
  APPROX_QUANTILES(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    4 IGNORE NULLS
  )[1] AS `m0_low`,
  APPROX_QUANTILES(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    2 IGNORE NULLS
  )[1] AS `m0_middle`,
  APPROX_QUANTILES(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    4 IGNORE NULLS
  )[3] AS `m0_high`,
  MAX(
    IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, NULL)
  ) AS `m0_largest`,
  COUNTIF(COALESCE(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), FALSE)) AS `m0_buyers`
FROM (
  SELECT
    `t0`.`customer_id`,
    `t0`.`arm`,
    `t0`.`customer's lifecycle stage`,
    `t0`.`emails_prior_7d`,
    `t0`.`sent`,
    `t0`.`purchased`,
    `t0`.`revenue`,
    IF(
      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
      `t0`.`revenue`,
      CAST(NULL AS FLOAT64)
    ) AS `__relevance_number_0`
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS `t0`
) AS `t1`
