// Makes every `require('typescript')` in the ESLint process load this package's TypeScript 6.
//
// typescript-eslint needs the classic TypeScript JS API (`>=4.8.4 <6.1.0`); the project's own
// `typescript` is 7 (the native compiler, which ships no such API). npm nests typescript-eslint and
// TypeScript 6 here, under tools/lint, but hoists ts-api-utils (one of typescript-estree's
// dependencies, whose peer range `typescript >=4.8.4` also accepts 7) to the root node_modules,
// where plain resolution would hand it TypeScript 7's stub and crash ESLint at start-up.
// Only the lint process is affected: nothing in it needs TypeScript 7.
import Module, {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const typescript6 = require.resolve('typescript')
const ts = require(typescript6)
if (typeof ts.createSourceFile !== 'function') {
  throw new Error(`tools/lint resolved TypeScript ${ts.version} without the JS compiler API (${typescript6}); reinstall with \`npm ci\``)
}

const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'typescript' ? typescript6 : request, ...rest)
}
