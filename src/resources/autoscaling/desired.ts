/**
 * Desired properties of the Auto Scaling kinds, references resolved to AWS
 * ids (the graph layer builds them).
 */

export interface AutoScalingTagDesired {
  key: string
  value: string
  /** Copied to the instances it launches. */
  propagateAtLaunch: boolean
}

export interface AutoScalingGroupDesired {
  /** `<stack>-<name>`: unique per region; a change replaces the group. */
  name: string
  /** The version is a number (the template's `defaultVersion` output), so that a new version is a change here and rolls the instances. */
  launchTemplate: {id: string; version: string}
  minSize: number
  maxSize: number
  /**
   * Absent when something else sets it (an ECS capacity provider's managed
   * scaling): never diffed then. Present: kept at this value.
   */
  desiredCapacity?: number
  subnetIds: string[]
  /**
   * New instances are protected from scale-in: needed by an ECS capacity
   * provider with managed termination protection, which lifts the
   * protection of instances it has drained.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html
   */
  newInstancesProtectedFromScaleIn: boolean
  /**
   * The user's tags, beside the ownership tags the reconciler adds. A group
   * an ECS capacity provider manages carries `AmazonECSManaged` (empty
   * value, propagated): the graph adds it.
   */
  tags: AutoScalingTagDesired[]
}
