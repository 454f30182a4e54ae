/**
 * "Did you mean …?" for mistyped commands and flags: the candidate fewest
 * edits away (Levenshtein distance), if it is close enough to be what was
 * meant — at most a third of the typed length, and at least 2 edits allowed
 * (`pla` → `plan`, `--detailed-exitcod` → `--detailed-exitcode`, `stauts` →
 * `status`), so that a word unrelated to every command suggests nothing.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(2, Math.floor(typed.length / 3))
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate)
    if (distance <= allowed && (!best || distance < best.distance)) best = {candidate, distance}
  }
  return best?.candidate
}

/** Insertions, deletions and substitutions that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
