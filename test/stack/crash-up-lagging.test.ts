import {describe} from 'vitest'
import {LAGGED, upResumeMatrix} from '../helpers/crash.js'

// One lag per file, so the matrices run on two workers (crash-up.test.ts: describes up to date).
describe(`up killed after its k-th mutating call (${LAGGED[0]})`, () => upResumeMatrix(LAGGED[1]))
