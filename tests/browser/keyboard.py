"""Moving through a page with the keyboard alone: Tab until an element has focus, checking
on the way that focus never lands on something the person cannot see."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

# For the element with focus: is it the target, and can it be seen?
_STEP = """target => {
  const el = document.activeElement;
  if (!el || el === document.body) return {reached: false, shown: true, what: "the page"};
  const box = el.getBoundingClientRect();
  const shown = box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  const text = (el.innerText || el.value || "").trim().slice(0, 60);
  const what = `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}> ${text}`;
  return {reached: el === target, shown, what};
}"""


def tab_to(page: Page, target: Locator, limit: int = 250, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until TARGET has focus; fail if it never does, or if focus
    lands on an element that is not visible."""
    for _ in range(limit):
        page.keyboard.press(key)
        step = target.evaluate(_STEP)
        assert step["shown"], f"focus went to something that cannot be seen: {step['what']}"
        if step["reached"]:
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def activate(page: Page, target: Locator, key: str = "Enter") -> None:
    """Tab to TARGET and press KEY (Enter for links and buttons, Space for checkboxes)."""
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    """Tab to a text field, clear it and type."""
    tab_to(page, target)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
