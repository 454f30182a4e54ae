// typescript-eslint, loaded with TypeScript 6 (see typescript6.js). The import order matters.
import './typescript6.js'

export {default} from 'typescript-eslint'
