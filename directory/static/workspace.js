// The workspace without page reloads. Progressive enhancement only: without this file every
// button posts the whole form and the page comes back landing on #results.
//
// With it, each button's post is sent with fetch, the form is swapped for the one that comes
// back (the server renders exactly what a reload would show), and focus goes where the
// result of the action is: the card just added, the shortlist, or the suggestions' heading.
// The goals' order (the order they were ticked in) is kept in a hidden field.
import { initAll } from './vendor/nhsuk/nhsuk-frontend.min.js'

const form = document.querySelector('form[data-workspace]')

function enhanceLanguages (scope) {
  if (!window.accessibleAutocomplete) return
  for (const select of scope.querySelectorAll('select[data-autocomplete]')) {
    const none = select.querySelector('option[value=""]')
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: none && none.selected ? '' : undefined,
      showAllValues: true,
      dropdownArrow: () => '',
      tNoResults: () => 'No language found',
      tStatusQueryTooShort: (n) => `Type in ${n} or more characters for results`
    })
  }
}

// An emptied "another language" box means none (the select underneath keeps its last value).
function clearEmptyLanguages () {
  for (const select of form.querySelectorAll('select[data-autocomplete]')) {
    const input = form.querySelector(`#${select.id.replace(/-select$/, '')}`)
    const none = select.querySelector('option[value=""]')
    if (input && input !== select && none && !input.value.trim()) select.value = ''
  }
}

function keepGoalOrder (event) {
  const box = event.target
  if (box.name !== 'goals') return
  const field = form.querySelector('[data-goal-order]')
  let order = field.value.split(',').filter(Boolean).filter((g) => g !== box.value)
  if (box.checked) order.push(box.value)
  const ticked = new Set([...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value))
  order = order.filter((g) => ticked.has(g))
  field.value = order.join(',')
}

// Sticky shortlist on a desk: keep focused things from sliding under it (WCAG 2.4.11).
function padForShortlist () {
  const list = form.querySelector('#shortlist')
  const sticky = list && getComputedStyle(list).position === 'sticky'
  document.documentElement.style.scrollPaddingTop = sticky ? `${list.offsetHeight + 16}px` : ''
}

function inView (el) {
  const box = el.getBoundingClientRect()
  return box.top >= 0 && box.bottom <= window.innerHeight
}

function land (id) {
  const summary = form.querySelector('.nhsuk-error-summary')
  if (summary) {
    summary.scrollIntoView({ block: 'start' })
    summary.focus()
    return
  }
  const target = (id && form.querySelector(`#${CSS.escape(id)}`)) || form.querySelector('#results')
  if (!target) return
  // New suggestions start at the top of the window; a changed card or shortlist only moves
  // into view if it is not already there.
  const low = target.id === 'results-title' && target.getBoundingClientRect().top > window.innerHeight * 0.3
  if (low || !inView(target)) target.scrollIntoView({ block: 'start' })
  target.focus({ preventScroll: true })
}

let busy = false

async function swap (event) {
  const button = event.submitter
  if (!button || button.hasAttribute('data-no-swap') || busy) return
  event.preventDefault()
  clearEmptyLanguages()
  busy = true
  const panel = form.querySelector('#results')
  panel.setAttribute('aria-busy', 'true')
  const url = new URL(button.formAction || form.action)
  const body = new FormData(form, button)
  const lands = button.dataset.lands
  try {
    url.hash = ''
    const response = await fetch(url, { method: 'POST', body, credentials: 'same-origin' })
    const page = new DOMParser().parseFromString(await response.text(), 'text/html')
    const fresh = page.querySelector('form[data-workspace]')
    if (!fresh) {
      // Not the workspace (signed out, say): show whatever came back.
      window.location.assign(response.url)
      return
    }
    document.title = page.title
    form.replaceChildren(...fresh.childNodes)
    initAll({ scope: form })
    enhanceLanguages(form)
    padForShortlist()
    land(lands)
  } catch (error) {
    // The network went: fall back to a plain post, which shows the browser's own error.
    form.removeEventListener('submit', swap)
    button.click()
  } finally {
    busy = false
    form.querySelector('#results')?.removeAttribute('aria-busy')
  }
}

if (form) {
  enhanceLanguages(form)
  form.addEventListener('change', keepGoalOrder)
  form.addEventListener('submit', swap)
  // Enter in the name search runs the search, not "Find services" (the form's first button).
  form.addEventListener('keydown', (event) => {
    const field = event.target
    if (event.key !== 'Enter' || !field.dataset || !field.dataset.enter) return
    event.preventDefault()
    form.querySelector(`button[name="${field.dataset.enter}"]`)?.click()
  })
  padForShortlist()
  window.addEventListener('resize', padForShortlist)
}
