// The portal's only script of its own (served from our origin, no inline code; the page's
// Content Security Policy allows nothing else). htmx does the partial updates.
"use strict";

document.addEventListener("click", (event) => {
  const remove = event.target.closest("[data-remove-item]");
  if (!remove) return;
  const item = remove.closest("[data-plan-item]");
  const form = item && item.closest("form");
  const heading = document.getElementById("plan-heading");
  item.remove();
  if (form) form.dispatchEvent(new Event("items-changed", { bubbles: true }));
  // Keep keyboard users somewhere sensible once the focused button is gone.
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

// A new item row arrived from the library: refresh the week preview and move focus to it.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "plan-items") {
    const items = event.detail.target.querySelectorAll("[data-plan-item]");
    const last = items[items.length - 1];
    const form = event.detail.target.closest("form");
    if (form) form.dispatchEvent(new Event("items-changed", { bubbles: true }));
    if (last) {
      const first = last.querySelector("input:not([type=hidden])");
      if (first) first.focus();
    }
  }
});

// A form came back with errors: move focus to its summary (each entry links to its field),
// so the keyboard and screen readers start from what went wrong, not the top of the page.
const summary = document.querySelector("[data-error-summary]");
if (summary) summary.focus();
