import type {Tag as Ec2Tag} from '@aws-sdk/client-ec2'
import {TAG_ID, TAG_STACK, type Tag} from './types.js'

/** Reads a tag value from an EC2-style tag list. */
export function tagValue(tags: Ec2Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value
}

/** The logical id a resource was created for, from its `containrlab:id` tag. */
export function logicalIdOf(tags: Ec2Tag[] | undefined): string | undefined {
  return tagValue(tags, TAG_ID)
}

/** EC2 `TagSpecifications` for a create call. */
export function tagSpecifications(resourceType: string, tags: Tag[]): {ResourceType: any; Tags: Tag[]}[] {
  return [{ResourceType: resourceType, Tags: tags}]
}

/** EC2 describe filter selecting what a stack owns. */
export function stackFilter(stack: string): {Name: string; Values: string[]} {
  return {Name: `tag:${TAG_STACK}`, Values: [stack]}
}
