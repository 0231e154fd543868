// Nexo's own behaviour. No inline scripts anywhere: the CSP forbids them.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["x-csrftoken"] = meta.content;
});
