/**
 * What the moto suite's global setup hands to the tests (vitest `provide` /
 * `inject`): where the cloud is and the AWS environment the CLI runs with.
 */
export interface MotoCloud {
  /** The endpoint every SDK call goes to (AWS_ENDPOINT_URL). */
  endpoint: string
  region: string
  /** The AWS_* variables a CLI subprocess gets, and nothing else from AWS_*. */
  env: Record<string, string>
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: MotoCloud
  }
}
