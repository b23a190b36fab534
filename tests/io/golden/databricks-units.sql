SELECT
  COUNT(*) AS `units`,
  SUM(
    CAST((
      `t2`.`rows` > 1
    ) AND `t2`.`first_arm` IS NOT DISTINCT FROM `t2`.`last_arm` AS BIGINT)
  ) AS `duplicated_units`,
  SUM(
    IF(
      (
        `t2`.`rows` > 1
      ) AND `t2`.`first_arm` IS NOT DISTINCT FROM `t2`.`last_arm`,
      `t2`.`rows` - 1,
      NULL
    )
  ) AS `duplicated_rows`,
  MIN(
    IF(
      (
        `t2`.`rows` > 1
      ) AND `t2`.`first_arm` IS NOT DISTINCT FROM `t2`.`last_arm`,
      `t2`.`unit`,
      NULL
    )
  ) AS `duplicated_example`,
  MIN_BY(
    IF(
      (
        `t2`.`rows` > 1
      ) AND `t2`.`first_arm` IS NOT DISTINCT FROM `t2`.`last_arm`,
      `t2`.`rows`,
      NULL
    ),
    IF(
      (
        `t2`.`rows` > 1
      ) AND `t2`.`first_arm` IS NOT DISTINCT FROM `t2`.`last_arm`,
      `t2`.`unit`,
      NULL
    )
  ) AS `duplicated_example_rows`,
  SUM(CAST(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE) AS BIGINT)) AS `split_units`,
  SUM(IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`rows`, NULL)) AS `split_rows`,
  MIN(IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`unit`, NULL)) AS `split_example`,
  MIN_BY(
    IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`first_arm`, NULL),
    IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`unit`, NULL)
  ) AS `split_example_first`,
  MIN_BY(
    IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`last_arm`, NULL),
    IF(COALESCE(`t2`.`first_arm` <> `t2`.`last_arm`, FALSE), `t2`.`unit`, NULL)
  ) AS `split_example_last`
FROM (
  SELECT
    `t1`.`customer_id` AS `unit`,
    COUNT(*) AS `rows`,
    MIN(`t1`.`arm`) AS `first_arm`,
    MAX(`t1`.`arm`) AS `last_arm`
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM analytics.sends
      WHERE
        campaign = 'w47'
    ) AS `t0`
    WHERE
      NOT (
        `t0`.`customer_id` IS NULL
      )
  ) AS `t1`
  GROUP BY
    1
) AS `t2`
