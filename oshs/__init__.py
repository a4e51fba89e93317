"""oshs: open-source statistics of NHS and healthcare organisations on GitHub."""

__version__ = "0.1.0"
