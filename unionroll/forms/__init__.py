"""The built-in form definitions (data files) and the plugin that registers them."""
