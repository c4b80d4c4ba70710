"""The PySide6 desktop GUI. The only package (with the app root) that imports Qt."""
