SELECT
  PERCENTILE(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    0.25
  ) AS `m0_low`,
  PERCENTILE(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    0.5
  ) AS `m0_middle`,
  PERCENTILE(
    IF(
      COALESCE(`t1`.`__relevance_number_0` > 0, FALSE),
      LN(
        IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, 1.0)
      ),
      NULL
    ),
    0.75
  ) AS `m0_high`,
  MAX(
    IF(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), `t1`.`__relevance_number_0`, NULL)
  ) AS `m0_largest`,
  SUM(
    CAST(COALESCE(COALESCE(`t1`.`__relevance_number_0` > 0, FALSE), FALSE) AS BIGINT)
  ) AS `m0_buyers`
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
      CAST(NULL AS DOUBLE)
    ) AS `__relevance_number_0`
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS `t0`
) AS `t1`
