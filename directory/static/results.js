// The results pages: "Use my location" (the browser asks first, and only on this click; the
// position goes in this search's address, rounded to about 100 m, and is kept nowhere), and on
// a phone the filters folded behind a "Filter results" button above the results. Without this
// file the filters come before the results, open, and the place box does the same job.

const form = document.getElementById('search-form')
const nearButton = document.querySelector('[data-near-me]')
const nearStatus = document.querySelector('[data-near-status]')
if (form && nearButton && 'geolocation' in navigator) {
  nearButton.parentElement.hidden = false
  nearButton.addEventListener('click', () => {
    nearStatus.textContent = 'Finding your location…'
    navigator.geolocation.getCurrentPosition(
      (position) => {
        for (const old of form.querySelectorAll('[data-near]')) old.remove()
        for (const [name, value] of [['lat', position.coords.latitude], ['lon', position.coords.longitude]]) {
          const input = document.createElement('input')
          input.type = 'hidden'
          input.name = name
          input.value = value.toFixed(3)
          input.dataset.near = ''
          form.append(input)
        }
        const place = form.querySelector('#place')
        if (place) place.value = ''
        nearStatus.textContent = 'Searching near your location…'
        form.requestSubmit()
      },
      () => {
        nearStatus.textContent = 'We could not get your location. Enter a postcode or town instead.'
      },
      { maximumAge: 300000, timeout: 15000 }
    )
  })
}

const toggle = document.querySelector('[data-filters-toggle]')
const panel = document.getElementById('filters')
const phone = window.matchMedia('(max-width: 48.0525em)')
function fold () {
  if (!toggle || !panel) return
  toggle.hidden = !phone.matches
  const open = !phone.matches || toggle.getAttribute('aria-expanded') === 'true'
  panel.classList.toggle('results-layout__filters--folded', !open)
}
if (toggle && panel) {
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true'
    toggle.setAttribute('aria-expanded', String(open))
    fold()
    if (open) panel.querySelector('input, select')?.focus()
  })
  phone.addEventListener('change', fold)
  fold()
}
