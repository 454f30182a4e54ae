/**
 * Desired properties of the ECR kinds, as reconcilers receive them. The
 * graph layer builds them from the spec's repositories.
 */

/**
 * `ecr.repository`: one private image repository, found by its name.
 * Outputs: id (= name), arn, name, uri (`<registryId>.dkr.ecr.<region>.amazonaws.com/<name>`).
 */
export interface RepositoryDesired {
  /**
   * `containrlab-api`: unique per registry (account and region), 2–256
   * characters of lowercase letters, digits and `._-/` separators; fixed
   * at creation (a new name is a new repository).
   * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
   */
  name: string
  /** Scan each image on push (basic scanning). Changed in place (PutImageScanningConfiguration). */
  scanOnPush: boolean
  /** Whether a pushed tag may move to another image. Changed in place (PutImageTagMutability). */
  tagMutability: 'MUTABLE' | 'IMMUTABLE'
  /**
   * A lifecycle policy keeping the last N images (tagged or not) and
   * expiring the rest; absent: no lifecycle policy (one there is deleted).
   * Changed in place (PutLifecyclePolicy, DeleteLifecyclePolicy).
   */
  keepLastImages?: number
}
