"""Council Drafting Assistant: drafts council plans grounded in the council's own documents."""

__version__ = "0.1.0"
