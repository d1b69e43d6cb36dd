// Progressive enhancement only: every page works without this file.
// Loaded as a module, so old browsers that cannot run the NHS.UK components skip it.
import { initAll } from './vendor/nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()
