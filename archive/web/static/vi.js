// The one thing no template of the plugin can reach: Datasette's base.html writes <html>
// outside every block, so the document's language is set here. Every Vietnamese word of
// Datasette's pages comes from the plugin's template overrides (archive/web/templates/),
// so the pages read the same without script.
document.documentElement.lang = "vi";
