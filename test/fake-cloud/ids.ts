/**
 * Deterministic AWS-shaped ids for the fake cloud. EC2 ids are a prefix and
 * 17 lowercase hex characters (`vpc-0a1b2c3d4e5f60718`); a counter run
 * through a 64-bit mixer gives ids that look random, never collide within
 * one generator, and are the same on every test run.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
export class IdGenerator {
  private counter = 0n

  constructor(private readonly seed = 0) {}

  /** `prefix-` followed by 17 hex chars. */
  next(prefix: string): string {
    this.counter += 1n
    return `${prefix}-${hex17(this.counter, BigInt(this.seed))}`
  }
}

const MASK64 = (1n << 64n) - 1n

/** splitmix64's finaliser: a bijection on 64-bit integers, so distinct counters give distinct outputs. */
function mix64(value: bigint): bigint {
  let z = value & MASK64
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
  return z ^ (z >> 31n)
}

function hex17(counter: bigint, seed: bigint): string {
  const mixed = mix64(counter + seed * 0x9e3779b97f4a7c15n)
  // 16 hex chars of the bijective mix plus one derived char: still unique per counter.
  const extra = Number(mix64(mixed) & 0xfn).toString(16)
  return extra + mixed.toString(16).padStart(16, '0')
}

/** A stable short hash of a string (FNV-1a, 32 bits) as 8 hex chars: prefix-list ids per service name. */
export function stableHex8(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}
