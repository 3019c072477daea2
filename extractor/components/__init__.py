"""spaCy components, one per module. Each only annotates the Doc; none reads files or builds tables."""
