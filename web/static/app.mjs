// Enhancement only: every page works without it. Loaded as a module (no inline script, so
// the Content-Security-Policy can forbid inline script): browsers that run modules are the
// ones GOV.UK Frontend supports, which is what the two body classes tell its components.
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A link from an email names a deadline ("/cases/REF#key"); the server never sees the
// "#key", so when the link lands on the log-in page, carry it into where to go afterwards.
const next = document.querySelector("form input[name='next']");
if (next && window.location.hash && !next.value.includes("#")) {
  next.value += window.location.hash;
}
