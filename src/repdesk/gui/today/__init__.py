"""Today: the view the app opens on, answering "who do I call next"."""
