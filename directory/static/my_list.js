// "My list": services saved on this device only (localStorage), no account. A "Save to my list"
// button on each service page and result card; the My list page shows the saved ones by
// putting their ids in its own address (so the same link prints and shares the list).
const KEY = 'directory.my-list'
const MOST = 50

function saved () {
  try {
    const ids = JSON.parse(window.localStorage.getItem(KEY) || '[]')
    return Array.isArray(ids) ? ids.filter((id) => typeof id === 'string').slice(0, MOST) : []
  } catch {
    return []
  }
}

function store (ids) {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(ids.slice(0, MOST)))
    return true
  } catch {
    return false // storage full or refused (a private window): say so, change nothing
  }
}

for (const button of document.querySelectorAll('[data-save]')) {
  const id = button.dataset.save
  const status = button.parentElement.querySelector('[data-save-status]')
  const show = () => {
    const on = saved().includes(id)
    button.setAttribute('aria-pressed', String(on))
    button.textContent = on ? 'Saved to my list' : 'Save to my list'
  }
  button.hidden = false
  show()
  button.addEventListener('click', () => {
    const ids = saved()
    const on = ids.includes(id)
    const next = on ? ids.filter((other) => other !== id) : [...ids, id]
    if (!on && ids.length >= MOST) {
      if (status) status.textContent = `Your list is full (${MOST} services). Remove one first.`
      return
    }
    if (!store(next)) {
      if (status) status.textContent = 'This browser would not save the list.'
      return
    }
    show()
    if (status) status.textContent = on ? 'Removed from my list' : 'Saved to my list'
  })
}

const page = document.querySelector('[data-my-list]')
if (page) {
  const ids = saved()
  if (!page.hasAttribute('data-asked') && ids.length) {
    const query = ids.map((id) => 'id=' + encodeURIComponent(id)).join('&')
    window.location.replace(window.location.pathname + '?' + query)
  }
  const clear = page.querySelector('[data-clear-list]')
  if (clear) {
    clear.hidden = false
    clear.addEventListener('click', () => {
      store([])
      window.location.replace(window.location.pathname)
    })
  }
}
