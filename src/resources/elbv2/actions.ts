import type {Action, RedirectActionConfig} from '@aws-sdk/client-elastic-load-balancing-v2'
import {nameInArn} from './describe.js'
import type {ListenerAction} from './desired.js'

/**
 * Listener and rule actions between the desired form (ListenerAction) and
 * ELBv2's. What AWS reports carries what it filled in (a redirect's `#{host}`
 * defaults, a forward's ForwardConfig), so it is read back to the desired form
 * before comparing; an action of another shape (authentication, weighted
 * forwards, several actions) is `other` and never equal to a desired one.
 */

export type ObservedAction = ListenerAction | {type: 'other'; description: string}

/**
 * The redirect `redirect-https` stands for: HTTPS on 443, permanent, host,
 * path and query kept. AWS reports the kept parts as `#{host}`, `/#{path}`
 * and `#{query}`, its defaults when they are not given.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html
 */
const REDIRECT_HTTPS = {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'} as const
const REDIRECT_KEPT = {Host: '#{host}', Path: '/#{path}', Query: '#{query}'} as const

/** The actions AWS is sent for one desired action. */
export function toAwsActions(action: ListenerAction): Action[] {
  switch (action.type) {
    case 'redirect-https':
      return [{Type: 'redirect', RedirectConfig: {...REDIRECT_HTTPS}}]
    case 'forward':
      return [{Type: 'forward', TargetGroupArn: action.targetGroupArn}]
    case 'fixed-response':
      return [{Type: 'fixed-response', FixedResponseConfig: {StatusCode: String(action.statusCode), ContentType: action.contentType, MessageBody: action.body}}]
  }
}

function forwardTarget(action: Action): string | undefined {
  const groups = action.ForwardConfig?.TargetGroups
  if (groups && groups.length > 0) return groups.length === 1 ? groups[0]!.TargetGroupArn : undefined
  return action.TargetGroupArn
}

/** An action AWS reports, in the desired form when it has one. */
export function fromAwsActions(actions: Action[] | undefined): ObservedAction {
  const other = (): ObservedAction => ({type: 'other', description: JSON.stringify(actions ?? [])})
  if (actions?.length !== 1) return other()
  const action = actions[0]!
  switch (action.Type) {
    case 'forward': {
      const targetGroupArn = forwardTarget(action)
      return targetGroupArn ? {type: 'forward', targetGroupArn} : other()
    }
    case 'redirect': {
      const config: RedirectActionConfig = action.RedirectConfig ?? {StatusCode: undefined}
      const same = (Object.keys(REDIRECT_HTTPS) as (keyof typeof REDIRECT_HTTPS)[]).every((key) => config[key] === REDIRECT_HTTPS[key])
      const kept = (Object.keys(REDIRECT_KEPT) as (keyof typeof REDIRECT_KEPT)[]).every((key) => config[key] === undefined || config[key] === REDIRECT_KEPT[key])
      return same && kept ? {type: 'redirect-https'} : other()
    }
    case 'fixed-response': {
      const config = action.FixedResponseConfig
      if (config?.ContentType !== 'text/plain') return other()
      return {type: 'fixed-response', statusCode: Number(config.StatusCode), contentType: 'text/plain', body: config.MessageBody ?? ''}
    }
    default:
      return other()
  }
}

/** How a plan shows an action: `redirect to HTTPS`, `forward to <group name>`, `404 "not found"`. */
export function actionLabel(action: ObservedAction): string {
  switch (action.type) {
    case 'redirect-https':
      return 'redirect to HTTPS'
    case 'forward':
      return `forward to ${nameInArn(action.targetGroupArn)}`
    case 'fixed-response':
      return `fixed response ${action.statusCode} ${JSON.stringify(action.body)}`
    case 'other':
      return `other: ${action.description}`
  }
}

export function sameAction(desired: ListenerAction, observed: ObservedAction): boolean {
  switch (desired.type) {
    case 'redirect-https':
      return observed.type === 'redirect-https'
    case 'forward':
      return observed.type === 'forward' && observed.targetGroupArn === desired.targetGroupArn
    case 'fixed-response':
      return observed.type === 'fixed-response' && observed.statusCode === desired.statusCode && observed.contentType === desired.contentType && observed.body === desired.body
  }
}
