"""Reusable widgets of the wizard pages: the demo banner, wrapped text, command rows with a Copy
button, the error-code card, the clickable phase diagram and the finding detail pane."""
