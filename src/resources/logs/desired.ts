/**
 * Desired properties of the CloudWatch Logs kinds, as reconcilers receive
 * them. The graph layer builds them from the spec's services (one log group
 * per container's logs).
 */

/** `logs.log-group`. Outputs: id (= name), name, arn (without the trailing `:*`). */
export interface LogGroupDesired {
  /** `/ecs/containrlab-api`: 1–512 characters of letters, digits and `._-/#`; fixed at creation. */
  name: string
  /**
   * Days the events are kept; absent: kept forever (DeleteRetentionPolicy).
   * One of the values PutRetentionPolicy accepts (RETENTION_DAYS), which the
   * spec validates: AWS refuses any other with InvalidParameterException.
   * Changed in place (PutRetentionPolicy).
   */
  retentionDays?: number
}

/**
 * The retention periods PutRetentionPolicy accepts, in days.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const
