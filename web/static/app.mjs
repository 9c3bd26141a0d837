// Enhancement only: every page works without it. Loaded as a module (no inline script, so
// the Content-Security-Policy can forbid inline script): browsers that run modules are the
// ones GOV.UK Frontend supports, which is what the two body classes tell its components.
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
