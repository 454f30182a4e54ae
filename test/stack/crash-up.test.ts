import {describe} from 'vitest'
import {UP_TO_DATE, upResumeMatrix} from '../helpers/crash.js'

// One lag per file, so the matrices run on two workers (crash-up-lagging.test.ts: describes lagging).
describe(`up killed after its k-th mutating call (${UP_TO_DATE[0]})`, () => upResumeMatrix(UP_TO_DATE[1]))
