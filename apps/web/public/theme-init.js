// Runs before the first paint so a dark-theme user never sees a white flash. A file of its own
// because the server's CSP allows no inline scripts.
(() => {
  let preference = "system";
  try {
    preference = localStorage.getItem("tidings-theme") || "system";
  } catch {}
  const dark =
    preference === "dark" || (preference === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
})();
