"""backpropdoctor: checks hand-written backpropagation and names the bug."""

__version__ = "0.1.0"
