// The plan page's "Print the plan" button (hidden without this file: the browser's own
// print command does the same).
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}
