// The service page's "Print this page" and "Copy link" buttons: hidden without this file (the
// browser's own print and address bar do the same), shown once it runs.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}

const status = document.querySelector('[data-copy-status]')
for (const button of document.querySelectorAll('[data-copy-link]')) {
  if (!navigator.clipboard) continue // an insecure origin or an old browser: no button
  button.hidden = false
  button.addEventListener('click', async () => {
    const link = window.location.href.split('#')[0]
    try {
      await navigator.clipboard.writeText(link)
      if (status) status.textContent = 'Link copied'
    } catch {
      if (status) status.textContent = 'Could not copy the link: copy it from the address bar'
    }
  })
}
